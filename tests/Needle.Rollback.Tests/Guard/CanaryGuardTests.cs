using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Rollback.Guard;
using Needle.Rollback.Tests.Infrastructure;

namespace Needle.Rollback.Tests.Guard;

[TestClass]
public sealed class CanaryGuardTests
{
    [TestMethod]
    public async Task EvaluateAll_CanaryFailingHalfItsRequests_RollsItBackAndAuditsTheNumbers()
    {
        await using var host = await RollbackTestHost.StartAsync(NoLoop);
        await StartCanaryAsync(host);
        Feed(host, stableRequests: 200, canaryRequests: 40, canaryErrors: 20);
        var guard = host.Get<CanaryGuard>();

        var first = await guard.EvaluateAllAsync(CancellationToken.None);
        var second = await guard.EvaluateAllAsync(CancellationToken.None);
        var release = await host.ReleaseAsync();
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");

        Assert.IsFalse(first.Single().RolledBack, "one breach is not yet two in a row");
        Assert.IsTrue(second.Single().RolledBack);
        Assert.IsNull(release["canaryVersion"]?.GetValue<int?>());
        Assert.AreEqual(1, release["stableVersion"]!.GetValue<int>());
        var rollback = audit!.First(e => e!["action"]!.GetValue<string>() == "rollback")!;
        Assert.AreEqual(CanaryGuard.Actor, rollback["actor"]!.GetValue<string>());
        StringAssert.Contains(rollback["reason"]!.GetValue<string>(), "20/40 errors");
    }

    [TestMethod]
    public async Task EvaluateAll_TooFewCanaryRequests_NeverRollsBack()
    {
        await using var host = await RollbackTestHost.StartAsync(NoLoop);
        await StartCanaryAsync(host);
        Feed(host, stableRequests: 200, canaryRequests: 10, canaryErrors: 10);
        var guard = host.Get<CanaryGuard>();

        for (var i = 0; i < 5; i++)
        {
            await guard.EvaluateAllAsync(CancellationToken.None);
        }

        Assert.AreEqual(2, (await host.ReleaseAsync())["canaryVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task EvaluateAll_BreachThatComesAndGoes_DoesNotFlap()
    {
        // The guard's own loop stays off: its interval runs on the fake clock, so each Advance below would start an
        // evaluation of its own that could count the next breach alongside the test's.
        await using var host = await RollbackTestHost.StartAsync(NoLoop);
        await StartCanaryAsync(host);
        var guard = host.Get<CanaryGuard>();

        // Breach, then the window moves on (a minute later) to a healthy canary, then a breach again: never two in a row.
        Feed(host, stableRequests: 200, canaryRequests: 40, canaryErrors: 20);
        await guard.EvaluateAllAsync(CancellationToken.None);
        host.Time.Advance(TimeSpan.FromMinutes(2));
        Feed(host, stableRequests: 200, canaryRequests: 40, canaryErrors: 0);
        await guard.EvaluateAllAsync(CancellationToken.None);
        host.Time.Advance(TimeSpan.FromMinutes(2));
        Feed(host, stableRequests: 200, canaryRequests: 40, canaryErrors: 20);
        var results = await guard.EvaluateAllAsync(CancellationToken.None);

        Assert.IsFalse(results.Single().RolledBack);
        Assert.AreEqual(2, (await host.ReleaseAsync())["canaryVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task EvaluateAll_AfterItRolledBack_DoesNothingMore()
    {
        await using var host = await RollbackTestHost.StartAsync(o =>
        {
            NoLoop(o);
            o.Guard.ConsecutiveBreaches = 1;
        });
        await StartCanaryAsync(host);
        Feed(host, stableRequests: 200, canaryRequests: 40, canaryErrors: 20);
        var guard = host.Get<CanaryGuard>();

        var first = await guard.EvaluateAllAsync(CancellationToken.None);
        var again = await guard.EvaluateAllAsync(CancellationToken.None);
        var releases = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/functions/orders/releases");

        Assert.IsTrue(first.Single().RolledBack);
        Assert.AreEqual(0, again.Count);
        Assert.AreEqual(1, releases!.Count(r => r!["action"]!.GetValue<string>() == "rollback"));
        Assert.AreEqual(1, (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Loop_RealRequestsToAFailingCanary_RollBackWithinSeconds()
    {
        await using var host = await RollbackTestHost.StartAsync(o =>
        {
            o.Guard.MinimumRequests = 10;
            o.GuardDebounce = TimeSpan.Zero;
        });
        await host.DeployOrdersAsync();
        using var canary = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/versions", new { source = "export default () => { throw new Error('boom'); };\n", manifest = RollbackTestHost.Manifest, canary = new { weight = 50 } });
        Assert.IsTrue(canary.IsSuccessStatusCode, await canary.Content.ReadAsStringAsync());

        for (var i = 0; i < 200 && (await host.ReleaseAsync())["canaryVersion"] is not null; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/fn/orders");
            request.Headers.Add("X-Needle-User", "user-" + i);
            using var _ = await host.Client.SendAsync(request);
        }

        await Eventually.WaitAsync(async () => (await host.ReleaseAsync())["canaryVersion"] is null, "the guard to roll the canary back");
    }

    [TestMethod]
    public async Task Loop_WithObservability_DecidesOnTheHealthWindowsAndRollsBack()
    {
        await using var host = await RollbackTestHost.StartAsync(
            o =>
            {
                o.Guard.MinimumRequests = 10;
                o.GuardDebounce = TimeSpan.Zero;
            },
            observability: true);
        await host.DeployOrdersAsync();
        using var canary = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/versions", new { source = "export default () => { throw new Error('boom'); };\n", manifest = RollbackTestHost.Manifest, canary = new { weight = 50 } });
        Assert.IsTrue(canary.IsSuccessStatusCode, await canary.Content.ReadAsStringAsync());

        for (var i = 0; i < 200 && (await host.ReleaseAsync())["canaryVersion"] is not null; i++)
        {
            using var _ = await host.Client.GetAsync("/fn/orders");
        }

        await Eventually.WaitAsync(async () => (await host.ReleaseAsync())["canaryVersion"] is null, "the guard to roll the canary back");
        Assert.IsInstanceOfType<ClusterHealthSource>(host.Get<ICanaryHealthSource>());
        var sample = host.Get<ICanaryHealthSource>().GetSample("orders", 2, TimeSpan.FromMinutes(1));
        Assert.IsTrue(sample.Requests >= 10 && sample.ErrorRatio == 1, $"{sample}");
    }

    /// <summary>For tests that call <see cref="CanaryGuard.EvaluateAllAsync"/> by hand: the guard's own loop stays off, so every evaluation is the test's.</summary>
    internal static void NoLoop(Needle.Rollback.Hosting.RollbackOptions options) => options.GuardEnabled = false;

    internal static async Task StartCanaryAsync(RollbackTestHost host)
    {
        await host.DeployOrdersAsync();
        using var canary = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/versions", new { source = "export default () => ({ v: 2 });\n", manifest = RollbackTestHost.Manifest, canary = new { weight = 10 } });
        Assert.IsTrue(canary.IsSuccessStatusCode, await canary.Content.ReadAsStringAsync());
    }

    internal static void Feed(RollbackTestHost host, int stableRequests, int canaryRequests, int canaryErrors)
    {
        for (var i = 0; i < stableRequests; i++)
        {
            host.Health.Record("orders", 1, failed: false, TimeSpan.FromMilliseconds(5));
        }

        for (var i = 0; i < canaryRequests; i++)
        {
            host.Health.Record("orders", 2, failed: i < canaryErrors, TimeSpan.FromMilliseconds(5));
        }
    }
}
