using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Quality;

/// <summary>
/// The quality gate on deploys: a version's cases run in the real host (real Jint, real Roslyn) after it loads and
/// before it takes traffic; a failing case refuses the deploy with 422 and the serving version stays.
/// </summary>
[TestClass]
public sealed class QualityGateTests : ClassHostTests<QualityGateTests, DownstreamServer>, IClassHost<DownstreamServer>
{
    public static Task<DownstreamServer> StartClassHostAsync() => DownstreamServer.StartAsync();

    private static Task<TestHost> StartHostAsync() =>
        TestHost.StartAsync(needle: n => n.AddDownstream("backend", Host.Address));

    private static string Source(string runtime, bool broken = false) => runtime == "csharp"
        ? TestCaseSamples.CSharpUser(broken ? "name" : "name.ToUpperInvariant()")
        : TestCaseSamples.JavaScriptUser(broken ? "user.name" : "user.name.toUpperCase()");

    [TestMethod]
    [DataRow("javascript")]
    [DataRow("csharp")]
    public async Task Deploy_CasesPassWithStubs_ServesWithoutCallingTheDownstream(string runtime)
    {
        await using var host = await StartHostAsync();
        var callsBefore = Volatile.Read(ref Host.Calls);

        using var response = await host.TryDeployAsync("users", Source(runtime), TestCaseSamples.UserManifest(runtime));
        var served = await host.GetAsync("/fn/user/5");

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual("users@1", served.Version);
        Assert.AreEqual("USER 5", JsonNode.Parse(served.Body)!["name"]!.GetValue<string>(), "the real request reaches the real downstream");
        Assert.AreEqual(callsBefore + 1, Volatile.Read(ref Host.Calls), "the cases' fetches were answered by their stubs");
    }

    [TestMethod]
    [DataRow("javascript")]
    [DataRow("csharp")]
    public async Task Deploy_ACaseFails_Answers422WithExpectedActualLogsAndDurationAndTheStableVersionKeepsServing(string runtime)
    {
        await using var host = await StartHostAsync();
        await host.DeployAsync("users", Source(runtime), TestCaseSamples.UserManifest(runtime));

        using var response = await host.TryDeployAsync("users", Source(runtime, broken: true), TestCaseSamples.UserManifest(runtime));
        var problem = await response.Content.ReadFromJsonAsync<JsonNode>();
        var function = await host.GetJsonAsync("/needle/api/functions/users");
        var served = await host.GetAsync("/fn/user/5");

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.AreEqual("Tests failed", problem!["title"]!.GetValue<string>());
        StringAssert.Contains(problem["detail"]!.GetValue<string>(), "'upper-cases the name'");
        var failure = problem["failures"]!.AsArray().Single()!;
        Assert.AreEqual("upper-cases the name", failure["name"]!.GetValue<string>());
        var body = failure["mismatches"]!.AsArray().First(m => m!["field"]!.GetValue<string>() == "body")!;
        Assert.AreEqual("{\"id\":5,\"name\":\"ADA\"}", body["expected"]!.GetValue<string>());
        Assert.AreEqual("{\"id\":5,\"name\":\"ada\"}", body["actual"]!.GetValue<string>());
        Assert.IsTrue(failure["mismatches"]!.AsArray().Any(m => m!["field"]!.GetValue<string>() == "jsonPath['$.name']"));
        StringAssert.Contains(failure["actual"]!["logs"]![0]!["message"]!.GetValue<string>(), "looked up ada");
        Assert.IsTrue(failure["actual"]!["durationMs"]!.GetValue<double>() > 0);
        Assert.AreEqual(1, function["function"]!["latestVersion"]!.GetValue<int>(), "nothing was stored");
        Assert.AreEqual("users@1", served.Version);
    }

    [TestMethod]
    public async Task Deploy_FetchWithoutAStub_FailsTheCaseNamingTheFetch()
    {
        await using var host = await StartHostAsync();
        var cases = TestCaseSamples.UserCases();
        cases[0]!["fetch"] = new JsonArray();

        using var response = await host.TryDeployAsync("users", Source("javascript"), TestCaseSamples.UserManifest(tests: cases));
        var problem = await response.Content.ReadFromJsonAsync<JsonNode>();

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var mismatch = problem!["failures"]![0]!["mismatches"]!.AsArray().First()!;
        Assert.AreEqual("fetch", mismatch["field"]!.GetValue<string>());
        Assert.AreEqual("GET http://backend/users/5 had no stub", mismatch["actual"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Deploy_LiveCase_ReachesTheRealService()
    {
        await using var host = await StartHostAsync();
        var callsBefore = Volatile.Read(ref Host.Calls);
        var cases = (JsonArray)JsonNode.Parse("""
            [ { "name": "live lookup", "live": true, "request": { "params": { "id": "7" } }, "expect": { "status": 200, "body": { "id": 7, "name": "USER 7" } } } ]
            """)!;

        using var response = await host.TryDeployAsync("users", Source("javascript"), TestCaseSamples.UserManifest(tests: cases));

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual(callsBefore + 1, Volatile.Read(ref Host.Calls), "the live case fetched from the real downstream");
    }

    [TestMethod]
    [DataRow("javascript", "export default () => { while (true) {} };")]
    [DataRow("csharp", "public sealed class H : INeedleFunction { public Task<object?> InvokeAsync(FunctionRequest r, FunctionContext c) { while (true) { c.CancellationToken.ThrowIfCancellationRequested(); } } }")]
    public async Task Deploy_CaseThatLoops_ReportsTheTimeoutAnswer(string runtime, string source)
    {
        await using var host = await StartHostAsync();
        var manifest = JsonNode.Parse($$"""
            { "runtime": "{{runtime}}", "limits": { "timeoutMs": 300, "maxStatements": 2000000000 }, "tests": [ { "name": "answers", "expect": { "status": 200 } } ] }
            """);

        // (The statement limit is raised so that the clock is what stops the loop: the default 10 million statements
        // can run out before 300 ms on a fast machine, which is a 500, not the timeout's 504.)
        using var response = await host.TryDeployAsync("spin", source, manifest);
        var problem = await response.Content.ReadFromJsonAsync<JsonNode>();

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode, problem?.ToJsonString());
        var failure = problem!["failures"]![0]!;
        Assert.AreEqual(504, failure["actual"]!["status"]!.GetValue<int>());
        StringAssert.Contains(failure["actual"]!["error"]!.GetValue<string>(), "timed out");
        StringAssert.StartsWith(failure["mismatches"]![0]!["actual"]!.GetValue<string>(), "504 (");
    }

    [TestMethod]
    public async Task Deploy_ExpectationsOnHeadersAndTime_AreChecked()
    {
        await using var host = await StartHostAsync();
        var cases = (JsonArray)JsonNode.Parse("""
            [ {
              "name": "headers and time",
              "request": { "params": { "id": "5" } },
              "fetch": [ { "url": "http://backend/users/5", "body": { "id": 5, "name": "ada" } } ],
              "expect": { "headers": { "x-source": "elsewhere" }, "headersPresent": ["x-missing"], "maxMs": 0.000001 }
            } ]
            """)!;

        using var response = await host.TryDeployAsync("users", Source("javascript"), TestCaseSamples.UserManifest(tests: cases));
        var fields = (await response.Content.ReadFromJsonAsync<JsonNode>())!["failures"]![0]!["mismatches"]!.AsArray().Select(m => m!["field"]!.GetValue<string>()).ToList();

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        CollectionAssert.AreEquivalent(new[] { "headers.x-source", "headers.x-missing", "maxMs" }, fields);
    }

    [TestMethod]
    public async Task Deploy_SameContentAgain_ReusesTheKeptResult()
    {
        await using var host = await StartHostAsync();
        await host.DeployAsync("users", Source("javascript"), TestCaseSamples.UserManifest());
        await host.DeployAsync("users", "export default () => 'other';", new { route = "/user/{id}" });

        // Version 3 has version 1's content: its cases passed before, so they are not run again.
        var third = await host.DeployAsync("users", Source("javascript"), TestCaseSamples.UserManifest());
        using var run = await host.Client.PostAsync($"/needle/api/functions/users/versions/{third}/test", null);
        var result = await run.Content.ReadFromJsonAsync<JsonNode>();

        Assert.AreEqual(3, third);
        Assert.IsTrue(result!["cached"]!.GetValue<bool>(), result.ToJsonString());
        Assert.AreEqual(3, result["version"]!.GetValue<int>());
        Assert.IsTrue(result["passed"]!.GetValue<bool>());
    }
}
