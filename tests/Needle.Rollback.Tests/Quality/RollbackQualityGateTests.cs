using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Functions;
using Needle.Rollback.Patches;
using Needle.Rollback.Plans;
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

    // A version in the store that fails its own case (as one from before the gate, or deployed with skipTests).
    private static Task AddFailingVersionAsync(RollbackTestHost host)
    {
        var manifest = new FunctionManifest
        {
            Name = "orders",
            Route = "/orders",
            Methods = ["GET"],
            Tests = (JsonArray)CasedManifest["tests"]!.DeepClone(),
        };
        return host.Get<INeedleStore>().AddVersionAsync(new NewVersion("orders", "export default () => ({ ok: false });", manifest, "failing-2", "test", Activate: false));
    }

    [TestMethod]
    public async Task StartPlan_VersionFailsItsCases_Answers422AndNoPlanRuns()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await host.DeployOrdersAsync();
        await AddFailingVersionAsync(host);

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/plans", new { version = 2, steps = new[] { 10, 100 }, stepWaitSeconds = 60 });
        var problem = await response.Content.ReadFromJsonAsync<JsonNode>();
        var release = await host.ReleaseAsync();

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode, problem?.ToJsonString());
        Assert.AreEqual("answers ok", problem!["failures"]![0]!["name"]!.GetValue<string>());
        Assert.IsNull(release["canaryVersion"]?.GetValue<int?>());
        Assert.AreEqual(HttpStatusCode.NotFound, (await host.Client.GetAsync("/needle/api/functions/orders/plans/current")).StatusCode);
    }

    [TestMethod]
    public async Task StartPlan_SkipTestsWithAReason_RunsThePlanAndItsClosingPromoteSkipsToo()
    {
        await using var host = await RollbackTestHost.StartAsync(health: new FixedHealthSource());
        await host.DeployOrdersAsync();
        await AddFailingVersionAsync(host);

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/plans", new { version = 2, steps = new[] { 10, 100 }, stepWaitSeconds = 60, reason = "INC-7: ship the fix, cases follow", skipTests = true });
        var plan = await response.Content.ReadFromJsonAsync<JsonNode>();
        var planId = plan!["id"]!.GetValue<string>();
        var canary = await host.ReleaseAsync();
        host.Time.Advance(TimeSpan.FromSeconds(61));
        var step = await host.Get<ReleasePlanJob>().AdvanceAsync(planId, 0, CancellationToken.None);
        var promoted = await host.ReleaseAsync();
        var skips = (await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders"))!.Where(e => e!["action"]!.GetValue<string>() == "tests-skipped").ToList();

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, plan.ToJsonString());
        Assert.AreEqual(2, canary["canaryVersion"]!.GetValue<int>());
        Assert.AreEqual(2, promoted["stableVersion"]!.GetValue<int>(), step);
        Assert.HasCount(2, skips, "the plan's start and its closing promote");
        foreach (var skip in skips)
        {
            StringAssert.StartsWith(skip!["detail"]!.GetValue<string>(), $"route=plan; plan={planId};");
            Assert.AreEqual("INC-7: ship the fix, cases follow", skip["reason"]!.GetValue<string>());
            Assert.AreEqual(2, skip["version"]!.GetValue<int>());
        }
    }

    [TestMethod]
    public async Task StartPlan_SkipTestsWithoutAReason_Answers400AndNoPlanRuns()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await host.DeployOrdersAsync();
        await AddFailingVersionAsync(host);

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/plans", new { version = 2, steps = new[] { 10, 100 }, stepWaitSeconds = 60, skipTests = true });
        var problem = await response.Content.ReadFromJsonAsync<JsonNode>();

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, problem?.ToJsonString());
        StringAssert.StartsWith(problem!["detail"]!.GetValue<string>(), "reason: skipTests needs a reason");
        Assert.IsNull((await host.ReleaseAsync())["canaryVersion"]?.GetValue<int?>());
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
