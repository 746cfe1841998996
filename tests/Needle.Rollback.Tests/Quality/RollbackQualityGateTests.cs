using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Functions;
using Needle.Rollback.Patches;
using Needle.Rollback.Tests.Infrastructure;
using Needle.Store;

namespace Needle.Rollback.Tests.Quality;

/// <summary>Needle.Rollback's ways in run Core's quality gate: a release plan's start and the emergency patch pipeline.</summary>
[TestClass]
public sealed class RollbackQualityGateTests
{
    private const string Source = "export default (req, ctx) => ({ ok: true, v: 1 });\n";
    private static readonly JsonNode CasedManifest = JsonNode.Parse("""
        { "route": "/orders", "methods": ["GET"], "tests": [ { "name": "answers ok", "expect": { "status": 200, "jsonPath": { "$.ok": true } } } ] }
        """)!;

    [TestMethod]
    public async Task StartPlan_VersionFailsItsCases_Answers422AndNoPlanRuns()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await host.DeployOrdersAsync();
        // A version in the store that fails its own case (as one from before the gate, or deployed with skipTests).
        var manifest = new FunctionManifest
        {
            Name = "orders",
            Route = "/orders",
            Methods = ["GET"],
            Tests = (JsonArray)CasedManifest["tests"]!.DeepClone(),
        };
        await host.Get<INeedleStore>().AddVersionAsync(new NewVersion("orders", "export default () => ({ ok: false });", manifest, "failing-2", "test", Activate: false));

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/plans", new { version = 2, steps = new[] { 10, 100 }, stepWaitSeconds = 60 });
        var problem = await response.Content.ReadFromJsonAsync<JsonNode>();
        var release = await host.ReleaseAsync();

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode, problem?.ToJsonString());
        Assert.AreEqual("answers ok", problem!["failures"]![0]!["name"]!.GetValue<string>());
        Assert.IsNull(release["canaryVersion"]?.GetValue<int?>());
        Assert.AreEqual(HttpStatusCode.NotFound, (await host.Client.GetAsync("/needle/api/functions/orders/plans/current")).StatusCode);
    }

    [TestMethod]
    public async Task Patch_SourceFailingTheCases_Answers422BeforeAnyRunIsQueued()
    {
        await using var host = await RollbackTestHost.StartAsync();
        var hash = (await host.Client.DeployAsync("orders", Source, CasedManifest))["contentHash"]!.GetValue<string>();

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, source = "export default () => ({ ok: false });", reason = "hotfix" });

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual(1, await host.VersionCountAsync());
        Assert.IsNull(response.Headers.Location, "no patch run was recorded");
    }

    [TestMethod]
    public async Task Patch_SkipTests_RunsAsAJobAndIsAudited()
    {
        await using var host = await RollbackTestHost.StartAsync();
        var hash = (await host.Client.DeployAsync("orders", Source, CasedManifest))["contentHash"]!.GetValue<string>();

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, source = "export default () => ({ ok: false, degraded: true });", reason = "INC-3 degrade", skipTests = true });
        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode, await response.Content.ReadAsStringAsync());
        var location = response.Headers.Location!.ToString();
        await Eventually.WaitAsync(async () => (await host.Client.GetFromJsonAsync<JsonNode>(location))!["status"]!.GetValue<string>() is "watching" or "succeeded", "the patch job to apply the patch");
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");

        Assert.AreEqual("orders@2", (await host.Client.GetAsync("/fn/orders")).Headers.GetValues("Needle-Version").Single());
        var skipped = audit!.Single(e => e!["action"]!.GetValue<string>() == "tests-skipped")!;
        StringAssert.StartsWith(skipped["reason"]!.GetValue<string>(), "INC-3 degrade");
    }
}
