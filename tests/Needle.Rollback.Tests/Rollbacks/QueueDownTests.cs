using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Rollback.Tests.Infrastructure;

namespace Needle.Rollback.Tests.Rollbacks;

[TestClass]
public sealed class QueueDownTests
{
    [TestMethod]
    public async Task RollbackAsync_AsyncWithHangfireDown_RollsBackSynchronously()
    {
        await using var host = await RollbackTestHost.StartAsync(queueDown: true);
        await host.DeployOrdersAsync();
        await host.DeployOrdersAsync("export default () => ({ v: 2 });\n");

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/rollback?async=true", new { reason = "queue is down" });

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual(1, (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Patch_WithHangfireDown_IsAppliedOnTheRequest()
    {
        await using var host = await RollbackTestHost.StartAsync(queueDown: true, health: new FixedHealthSource());
        var hash = await host.DeployOrdersAsync();

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, source = "export default () => ({ patched: true });\n", reason = "queue is down" });
        var run = await response.Content.ReadFromJsonAsync<JsonNode>();
        var served = await host.Client.GetAsync("/fn/orders");

        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode);
        Assert.AreEqual("watching", run!["status"]!.GetValue<string>());
        Assert.AreEqual("orders@2", served.Headers.GetValues("Needle-Version").Single());
    }

    [TestMethod]
    public async Task Guard_WithHangfireDown_StillRollsBack()
    {
        await using var host = await RollbackTestHost.StartAsync(o => o.Guard.ConsecutiveBreaches = 1, queueDown: true);
        await Guard.CanaryGuardTests.StartCanaryAsync(host);
        Guard.CanaryGuardTests.Feed(host, stableRequests: 100, canaryRequests: 40, canaryErrors: 20);

        var results = await host.Get<Needle.Rollback.Guard.CanaryGuard>().EvaluateAllAsync(CancellationToken.None);

        Assert.IsTrue(results.Single().RolledBack);
    }
}
