using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Quality;

/// <summary>
/// The emergency skip on every route the quality gate stands on: <c>skipTests</c> with a reason lets a version whose
/// cases fail take its role, audited as <c>tests-skipped</c> (route, version, reason, actor), counted per route, and
/// shown on the version; without a reason it is a 400 naming the field and nothing changes.
/// </summary>
[TestClass]
public sealed class SkipTestsTests
{
    private const string Reason = "INC-42: the backend's contract moved, the cases follow tomorrow";

    private static string Source(string runtime, bool broken) => runtime == "csharp"
        ? TestCaseSamples.CSharpUser(broken ? "name" : "name.ToUpperInvariant()")
        : TestCaseSamples.JavaScriptUser(broken ? "user.name" : "user.name.toUpperCase()");

    // Version 1 (passing) is stable; with staged, version 2 (failing its cases) is deployed without serving, through a skip.
    private static async Task<TestHost> StartAsync(bool staged, string runtime = "javascript")
    {
        var host = await TestHost.StartAsync(needle: n => n.AddDownstream("backend", new Uri("http://127.0.0.1:9/")));
        await host.DeployAsync("users", Source(runtime, broken: false), TestCaseSamples.UserManifest(runtime));
        if (staged)
        {
            using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/users/versions", new { source = Source(runtime, broken: true), manifest = TestCaseSamples.UserManifest(runtime), activate = false, reason = "staged", skipTests = true });
            Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        return host;
    }

    private static Task<HttpResponseMessage> MoveAsync(TestHost host, string route, string? reason) => route switch
    {
        "deploy" => host.Client.PostAsJsonAsync("/needle/api/functions/users/versions", new { source = Source("javascript", broken: true), manifest = TestCaseSamples.UserManifest(), reason, skipTests = true }),
        "canary" => host.Client.PostAsJsonAsync("/needle/api/functions/users/canary", new { version = 2, weight = 10, reason, skipTests = true }),
        "activate" => host.Client.PostAsJsonAsync("/needle/api/functions/users/versions/2/activate", new { reason, skipTests = true }),
        "release" => host.Client.PutAsJsonAsync("/needle/api/functions/users/release", new { stableVersion = 1, canaryVersion = 2, canaryWeight = 50, reason, skipTests = true }),
        _ => host.Client.PostAsJsonAsync("/needle/api/functions/users/promote", new { reason, skipTests = true }),
    };

    private static async Task<List<JsonNode>> SkipsAsync(TestHost host) =>
        (await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=users"))!
            .Where(e => e!["action"]!.GetValue<string>() == "tests-skipped").Select(e => e!).ToList();

    [TestMethod]
    [DataRow("javascript")]
    [DataRow("csharp")]
    public async Task Deploy_SkipTestsWithAReason_ServesAndIsAuditedCountedAndShown(string runtime)
    {
        await using var host = await StartAsync(staged: false, runtime);
        using var metrics = new MeasurementRecorder(host.Services);

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/users/versions", new { source = Source(runtime, broken: true), manifest = TestCaseSamples.UserManifest(runtime), reason = Reason, skipTests = true });
        var skip = (await SkipsAsync(host)).Single();
        var versions = (await host.GetJsonAsync("/needle/api/functions/users"))["versions"]!.AsArray();

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual("users@2", (await host.GetAsync("/fn/user/5")).Version);
        Assert.AreEqual(2, skip["version"]!.GetValue<int>());
        Assert.AreEqual(Reason, skip["reason"]!.GetValue<string>());
        Assert.AreEqual("local", skip["actor"]!.GetValue<string>());
        StringAssert.StartsWith(skip["detail"]!.GetValue<string>(), "route=deploy; 2 test cases not run");
        var counted = metrics.Of("needle.tests.skipped").Single();
        Assert.AreEqual("deploy", counted["needle.route"]);
        Assert.AreEqual("users", counted["faas.name"]);
        var shown = versions.Single(v => v!["number"]!.GetValue<int>() == 2)!["testsSkipped"]!.AsArray().Single()!;
        Assert.AreEqual("deploy", shown["route"]!.GetValue<string>());
        Assert.AreEqual(Reason, shown["reason"]!.GetValue<string>());
        Assert.AreEqual(skip["id"]!.GetValue<long>(), shown["auditId"]!.GetValue<long>());
        Assert.IsEmpty(versions.Single(v => v!["number"]!.GetValue<int>() == 1)!["testsSkipped"]!.AsArray(), "version 1 passed its cases");
    }

    [TestMethod]
    [DataRow("canary")]
    [DataRow("activate")]
    [DataRow("release", DisplayName = "PUT release")]
    [DataRow("promote")]
    public async Task Move_SkipTestsWithAReason_TakesTheRoleAndIsAuditedWithItsRoute(string route)
    {
        await using var host = await StartAsync(staged: true);
        if (route == "promote")
        {
            using var canary = await MoveAsync(host, "canary", "canary first");
            Assert.AreEqual(HttpStatusCode.OK, canary.StatusCode, await canary.Content.ReadAsStringAsync());
        }

        using var metrics = new MeasurementRecorder(host.Services);

        using var response = await MoveAsync(host, route, Reason);
        var release = (await host.GetJsonAsync("/needle/api/functions/users"))["function"]!["release"]!;
        var skip = (await SkipsAsync(host)).First();

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual(2, route is "activate" or "promote" ? release["stableVersion"]!.GetValue<int>() : release["canaryVersion"]!.GetValue<int>());
        Assert.AreEqual(2, skip["version"]!.GetValue<int>());
        Assert.AreEqual(Reason, skip["reason"]!.GetValue<string>());
        StringAssert.StartsWith(skip["detail"]!.GetValue<string>(), $"route={route};");
        Assert.AreEqual(route, metrics.Of("needle.tests.skipped").Single()["needle.route"]);
    }

    [TestMethod]
    [DataRow("deploy")]
    [DataRow("canary")]
    [DataRow("activate")]
    [DataRow("release", DisplayName = "PUT release")]
    [DataRow("promote")]
    public async Task Route_SkipTestsWithoutAReason_Answers400NamingReasonAndNothingChanges(string route)
    {
        await using var host = await StartAsync(staged: true);
        if (route == "promote")
        {
            using var canary = await MoveAsync(host, "canary", "canary first");
            Assert.AreEqual(HttpStatusCode.OK, canary.StatusCode, await canary.Content.ReadAsStringAsync());
        }

        var before = (await host.GetJsonAsync("/needle/api/functions/users"))["function"]!;
        var skipsBefore = (await SkipsAsync(host)).Count;

        using var response = await MoveAsync(host, route, reason: "  ");
        var problem = await response.Content.ReadFromJsonAsync<JsonNode>();
        var after = (await host.GetJsonAsync("/needle/api/functions/users"))["function"]!;

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, problem?.ToJsonString());
        StringAssert.StartsWith(problem!["detail"]!.GetValue<string>(), "reason: skipTests needs a reason");
        Assert.AreEqual(before.ToJsonString(), after.ToJsonString());
        Assert.HasCount(skipsBefore, await SkipsAsync(host));
    }

    [TestMethod]
    public async Task Canary_SkipTestsForAWeightChangeOnly_RecordsNoSkip()
    {
        await using var host = await StartAsync(staged: true);
        using var canary = await MoveAsync(host, "canary", "canary in");
        var skips = (await SkipsAsync(host)).Count;

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/users/canary", new { weight = 30, reason = "more", skipTests = true });

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.HasCount(skips, await SkipsAsync(host), "no version took a new role, so no test was skipped");
    }

    [TestMethod]
    public async Task TestsSkipped_LaterRunThatPasses_ClearsNothing()
    {
        var name = "bob";
        await using var downstream = await LoopbackServer.StartAsync(app => app.MapGet("/users/{id:int}", (int id) => new { id, name }));
        await using var host = await TestHost.StartAsync(needle: n => n.AddDownstream("backend", downstream.Address));
        var live = (JsonArray)JsonNode.Parse("""
            [ { "name": "live lookup", "live": true, "request": { "params": { "id": "5" } }, "expect": { "jsonPath": { "$.name": "ADA" } } } ]
            """)!;
        await host.DeployAsync("users", TestCaseSamples.JavaScriptUser("'v1'"), new { route = "/user/{id}", services = new[] { "backend" } });
        using var skipped = await host.Client.PostAsJsonAsync("/needle/api/functions/users/versions", new { source = TestCaseSamples.JavaScriptUser(), manifest = TestCaseSamples.UserManifest(tests: live), reason = Reason, skipTests = true });
        Assert.AreEqual(HttpStatusCode.Created, skipped.StatusCode, await skipped.Content.ReadAsStringAsync());
        name = "ada";

        using var run = await host.Client.PostAsync("/needle/api/functions/users/versions/2/test", null);
        var result = await run.Content.ReadFromJsonAsync<JsonNode>();
        var version = (await host.GetJsonAsync("/needle/api/functions/users"))["versions"]!.AsArray().Single(v => v!["number"]!.GetValue<int>() == 2)!;

        Assert.IsTrue(result!["passed"]!.GetValue<bool>(), result.ToJsonString());
        Assert.AreEqual("deploy", version["testsSkipped"]!.AsArray().Single()!["route"]!.GetValue<string>());
        Assert.HasCount(1, await SkipsAsync(host));
    }

    [TestMethod]
    [DataRow("deploy")]
    [DataRow("canary")]
    [DataRow("activate")]
    [DataRow("release")]
    [DataRow("promote")]
    public async Task Skip_ItsAuditEventCannotBeWritten_NothingChangesAndNothingIsCounted(string route)
    {
        // The skip's event and the change are one transaction: a store that refuses the event refuses the change.
        await using var host = await StartAsync(staged: route != "deploy");
        if (route == "promote")
        {
            using var canary = await MoveAsync(host, "canary", Reason);
            Assert.AreEqual(HttpStatusCode.OK, canary.StatusCode, await canary.Content.ReadAsStringAsync());
        }

        var before = (await host.GetJsonAsync("/needle/api/functions/users")).ToJsonString();
        var served = (await host.GetAsync("/fn/user/5")).Version;
        var skips = (await SkipsAsync(host)).Count;
        await RefuseSkipEventsAsync(host);
        using var metrics = new MeasurementRecorder(host.Services);

        using var response = await MoveAsync(host, route, Reason);

        Assert.IsFalse(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual(before, (await host.GetJsonAsync("/needle/api/functions/users")).ToJsonString(), "no version, release or audit event written");
        if (route != "promote")
        {
            // (Before a promote a 10 % canary serves beside the stable, so one request may get either.)
            Assert.AreEqual(served, (await host.GetAsync("/fn/user/5")).Version);
        }

        Assert.HasCount(skips, await SkipsAsync(host));
        Assert.IsEmpty(metrics.Of("needle.tests.skipped"));
    }

    [TestMethod]
    public async Task Skip_ItsAuditEvent_CarriesTheRevisionOfTheChangeItLetIn()
    {
        await using var host = await StartAsync(staged: true);

        using var response = await MoveAsync(host, "activate", Reason);
        var audit = (await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=users"))!;

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        var activation = audit.First(e => e!["action"]!.GetValue<string>() == "activate")!;
        var skip = audit.First(e => e!["action"]!.GetValue<string>() == "tests-skipped")!;
        Assert.IsNotNull(activation["revision"]?.GetValue<long?>());
        Assert.AreEqual(activation["revision"]!.GetValue<long>(), skip["revision"]!.GetValue<long>(), "written in the activation's transaction");
    }

    // A trigger on the host's own SQLite file that refuses every tests-skipped event, as a failing write would.
    private static async Task RefuseSkipEventsAsync(TestHost host)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(NeedleTestHost.StoreConnectionString(host.Directory) + ";Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TRIGGER refuse_skips BEFORE INSERT ON audit WHEN NEW.action = 'tests-skipped' BEGIN SELECT RAISE(ABORT, 'the audit log refuses this event'); END";
        await command.ExecuteNonQueryAsync();
    }
}
