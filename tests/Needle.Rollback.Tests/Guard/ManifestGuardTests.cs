using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Rollback.Guard;
using Needle.Rollback.Plans;
using Needle.Rollback.Tests.Infrastructure;

namespace Needle.Rollback.Tests.Guard;

/// <summary>The canary version's manifest <c>guard</c> section, over the host's thresholds, field by field.</summary>
[TestClass]
public sealed class ManifestGuardTests
{
    [TestMethod]
    [DataRow(null, true, DisplayName = "host default 5 points: rolled back")]
    [DataRow(0.5, false, DisplayName = "manifest 50 points: left serving")]
    public async Task EvaluateAll_CanaryFailingAQuarter_FollowsTheManifestsErrorRatioDelta(double? errorRatioDelta, bool rolledBack)
    {
        await using var host = await RollbackTestHost.StartAsync(o => o.Guard.ConsecutiveBreaches = 1);
        await StartCanaryAsync(host, errorRatioDelta is null ? null : new { errorRatioDelta });
        CanaryGuardTests.Feed(host, stableRequests: 200, canaryRequests: 40, canaryErrors: 10);

        var result = (await host.Get<CanaryGuard>().EvaluateAllAsync(CancellationToken.None)).Single();
        var release = await host.ReleaseAsync();

        Assert.AreEqual(rolledBack, result.RolledBack, result.Decision.Reason);
        Assert.AreEqual(rolledBack ? GuardVerdict.Breach : GuardVerdict.Marginal, result.Decision.Verdict);
        Assert.AreEqual(rolledBack, release["canaryVersion"] is null);
    }

    [TestMethod]
    [DataRow(false, false, DisplayName = "host override: minimum 1000, nothing decided")]
    [DataRow(true, true, DisplayName = "manifest minimum 20 with the override's single breach: rolled back by the backstop")]
    public async Task GuardCheckJob_ManifestSetsOnlyMinimumRequests_KeepsTheFunctionOverridesOtherFields(bool manifestMinimum, bool rolledBack)
    {
        await using var host = await RollbackTestHost.StartAsync(o => o.FunctionGuards["orders"] = new() { MinimumRequests = 1000, ConsecutiveBreaches = 1 });
        await StartCanaryAsync(host, manifestMinimum ? new { minimumRequests = 20 } : null);
        CanaryGuardTests.Feed(host, stableRequests: 200, canaryRequests: 40, canaryErrors: 20);

        var outcome = await host.Get<GuardCheckJob>().RunAsync(CancellationToken.None);
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");

        StringAssert.StartsWith(outcome, $"1 canaries checked, {(rolledBack ? 1 : 0)} rolled back");
        Assert.AreEqual(rolledBack, (await host.ReleaseAsync())["canaryVersion"] is null);
        Assert.AreEqual(rolledBack, audit!.Any(e => e!["action"]!.GetValue<string>() == "rollback" && e["actor"]!.GetValue<string>() == CanaryGuard.Actor));
    }

    [TestMethod]
    public async Task GuardCheckJob_GuardDisabled_LeavesABreachingCanaryServing()
    {
        // The backstop is the guard too: with GuardEnabled off it must not roll back what the loop would have.
        await using var host = await RollbackTestHost.StartAsync(o => { o.GuardEnabled = false; o.Guard.ConsecutiveBreaches = 1; o.Guard.MinimumRequests = 20; });
        await StartCanaryAsync(host, null);
        CanaryGuardTests.Feed(host, stableRequests: 200, canaryRequests: 40, canaryErrors: 20);

        var outcome = await host.Get<GuardCheckJob>().RunAsync(CancellationToken.None);

        StringAssert.StartsWith(outcome, "guard off, no canary checked");
        Assert.AreEqual(GuardVerdict.Breach, host.Get<CanaryGuard>().Judge(1, host.Get<CanaryGuard>().Canaries(includeKilled: false).Single().Canary).Verdict, "the canary is in breach");
        Assert.AreEqual(2, (await host.ReleaseAsync())["canaryVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task GetGuard_CanaryWithAManifestGuard_ShowsTheVerdictOnItsOwnThresholds()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await StartCanaryAsync(host, new { minimumRequests = 500 });
        CanaryGuardTests.Feed(host, stableRequests: 200, canaryRequests: 40, canaryErrors: 20);

        var verdicts = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/guard");

        StringAssert.Contains(verdicts!.Single()!["decision"]!["reason"]!.GetValue<string>(), "fewer than the minimum 500");
    }

    [TestMethod]
    [DataRow(null, "canary at 50 %", DisplayName = "host minimum 20: advances")]
    [DataRow(500, "holding: too little data: canary has 100 requests, fewer than the minimum 500", DisplayName = "manifest minimum 500: holds")]
    public async Task PlanGate_CanaryWith100Requests_FollowsTheCanarysManifestMinimum(int? minimumRequests, string expected)
    {
        await using var host = await RollbackTestHost.StartAsync(health: new FixedHealthSource());
        await host.DeployOrdersAsync();
        await DeployAsync(host, "export default () => ({ v: 2 });\n", minimumRequests is null ? null : new { minimumRequests }, activate: false);
        using var started = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/plans", new { version = 2, steps = new[] { 10, 50, 100 }, stepWaitSeconds = 60 });
        var planId = (await started.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        host.Time.Advance(TimeSpan.FromSeconds(61));

        var outcome = await host.Get<ReleasePlanJob>().AdvanceAsync(planId, 0, CancellationToken.None);

        StringAssert.StartsWith(outcome, expected);
    }

    private static async Task StartCanaryAsync(RollbackTestHost host, object? guard)
    {
        await host.DeployOrdersAsync();
        await DeployAsync(host, "export default () => ({ v: 2 });\n", guard, activate: null, canary: new { weight = 10 });
    }

    private static async Task DeployAsync(RollbackTestHost host, string source, object? guard, bool? activate, object? canary = null)
    {
        var manifest = new { route = "/orders", methods = new[] { "GET" }, guard };
        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/versions", new { source, manifest, activate, canary });
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
