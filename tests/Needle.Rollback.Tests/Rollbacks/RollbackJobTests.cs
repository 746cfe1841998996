using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Rollback.Rollbacks;
using Needle.Rollback.Tests.Infrastructure;

namespace Needle.Rollback.Tests.Rollbacks;

[TestClass]
public sealed class RollbackJobTests
{
    [TestMethod]
    public async Task RollbackAsync_AsyncThroughTheJobServer_RollsBackAndRecordsTheDuration()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await host.DeployOrdersAsync();
        await host.DeployOrdersAsync("export default () => ({ v: 2 });\n");

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/rollback?async=true", new { reason = "bad deploy" });
        await Eventually.WaitAsync(
            async () => (await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders"))!.Any(e => e!["action"]!.GetValue<string>() == "rollback-served"),
            "the rollback job to report");
        var served = await host.Client.GetAsync("/fn/orders");
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");

        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode);
        Assert.AreEqual("orders@1", served.Headers.GetValues("Needle-Version").Single());
        StringAssert.Contains(audit!.First(e => e!["action"]!.GetValue<string>() == "rollback-served")!["detail"]!.GetValue<string>(), "duration_ms=");
    }

    [TestMethod]
    public async Task RollbackAsync_Synchronous_StillWorksAsInCore()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await host.DeployOrdersAsync();
        await host.DeployOrdersAsync("export default () => ({ v: 2 });\n");

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/rollback", new { reason = "now" });

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(1, (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task RunAsync_DeliveredTwice_RollsBackOnce()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await host.DeployOrdersAsync();
        await host.DeployOrdersAsync("export default () => ({ v: 2 });\n");
        await host.DeployOrdersAsync("export default () => ({ v: 3 });\n");
        var releaseId = (await host.ReleaseAsync())["id"]!.GetValue<long>();
        var job = host.Get<RollbackJob>();

        await job.RunAsync("orders", null, "req-1", releaseId, "ops", "bad", CancellationToken.None);
        var again = await job.RunAsync("orders", null, "req-1", releaseId, "ops", "bad", CancellationToken.None);

        StringAssert.Contains(again, "stable=2");
        Assert.AreEqual(2, (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task RunAsync_ReleaseChangedSinceTheRequest_DoesNothing()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await host.DeployOrdersAsync();
        var releaseId = (await host.ReleaseAsync())["id"]!.GetValue<long>();
        await host.DeployOrdersAsync("export default () => ({ v: 2 });\n");

        var outcome = await host.Get<RollbackJob>().RunAsync("orders", null, "req-2", releaseId, "ops", "late", CancellationToken.None);

        StringAssert.StartsWith(outcome, "skipped");
        Assert.AreEqual(2, (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task MapNeedleJobsDashboard_ServesTheDashboardLocally()
    {
        await using var host = await RollbackTestHost.StartAsync();

        using var response = await host.Client.GetAsync("/hangfire/recurring");
        var text = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        StringAssert.Contains(text, "needle-guard");
    }
}
