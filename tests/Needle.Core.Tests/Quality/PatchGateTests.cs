using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Quality;

/// <summary>Emergency patches run the gate too; only <c>skipTests</c> with a reason goes around it, audited and counted.</summary>
[TestClass]
public sealed class PatchGateTests
{
    private static async Task<(TestHost Host, string Hash)> StartAsync()
    {
        var host = await TestHost.StartAsync(needle: n => n.AddDownstream("backend", new Uri("http://127.0.0.1:9/")));
        var deployed = await host.Client.DeployAsync("users", TestCaseSamples.JavaScriptUser(), TestCaseSamples.UserManifest());
        return (host, deployed["contentHash"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Patch_SourceThatFailsTheCases_Answers422AndTheStableVersionKeepsServing()
    {
        var (host, hash) = await StartAsync();
        await using var _ = host;

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/users/patches", new { baseHash = hash, source = TestCaseSamples.JavaScriptUser("user.name"), reason = "hotfix" });
        var problem = await response.Content.ReadFromJsonAsync<JsonNode>();
        var function = await host.GetJsonAsync("/needle/api/functions/users");

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode, problem?.ToJsonString());
        Assert.AreEqual("upper-cases the name", problem!["failures"]![0]!["name"]!.GetValue<string>());
        Assert.AreEqual(1, function["function"]!["latestVersion"]!.GetValue<int>());
        Assert.AreEqual(1, function["function"]!["release"]!["stableVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Patch_SkipTestsWithAReason_ServesAndIsAuditedAndCounted()
    {
        var (host, hash) = await StartAsync();
        await using var _ = host;
        using var metrics = new MeasurementRecorder(host.Services);

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/users/patches", new { baseHash = hash, source = TestCaseSamples.JavaScriptUser("'patched'"), reason = "INC-9: cases need the fixed backend", skipTests = true });
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=users");

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual("users@2", (await host.GetAsync("/fn/user/5")).Version);
        var skipped = audit!.Single(e => e!["action"]!.GetValue<string>() == "tests-skipped")!;
        Assert.AreEqual(2, skipped["version"]!.GetValue<int>());
        Assert.AreEqual("INC-9: cases need the fixed backend", skipped["reason"]!.GetValue<string>());
        StringAssert.Contains(skipped["detail"]!.GetValue<string>(), "2 test cases not run");
        Assert.AreEqual(1, metrics.Of("needle.tests.skipped").Count);
    }

    [TestMethod]
    public async Task Patch_ConfigThatBreaksACase_IsRefusedToo()
    {
        var host = await TestHost.StartAsync();
        await using var _ = host;
        var manifest = JsonNode.Parse("""
            { "config": { "greeting": "hello" }, "tests": [ { "name": "greets", "expect": { "body": "hello" } } ] }
            """);
        var hash = (await host.Client.DeployAsync("greet", "export default (req, ctx) => ctx.config.greeting;", manifest))["contentHash"]!.GetValue<string>();

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/greet/patches", new { baseHash = hash, config = new { greeting = "hi" }, reason = "tone" });

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
