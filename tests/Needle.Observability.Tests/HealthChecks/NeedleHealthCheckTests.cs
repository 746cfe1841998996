using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Needle.Functions;
using Needle.Observability.Tests.Infrastructure;
using Needle.Store;

namespace Needle.Observability.Tests.HealthChecks;

/// <summary>AddHealthChecks().AddNeedle() in a real host.</summary>
[TestClass]
public sealed class NeedleHealthCheckTests
{
    [TestMethod]
    public async Task Check_EveryReleasedVersionServes_IsHealthy()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("fine", "export default () => 1;");

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.AreEqual(HealthStatus.Healthy, report.Entries["needle"].Status, report.Entries["needle"].Description);
        var (status, body, _) = await host.GetAsync("/healthz");
        Assert.AreEqual(200, status);
        Assert.AreEqual("Healthy", body);
    }

    [TestMethod]
    public async Task Check_ReleasedVersionFailedToLoad_IsDegradedAndNamesIt()
    {
        await using var host = await TestHost.StartAsync(o => o.PollInterval = TimeSpan.FromMilliseconds(100));
        await host.DeployAsync("fragile", "export default () => 1;");

        // Written straight to the store, as another node or a bad migration could: the API would refuse it.
        var store = host.Services.GetRequiredService<INeedleStore>();
        await store.AddVersionAsync(new NewVersion(
            "fragile", "throw new Error('broken at load'); export default () => 2;", new FunctionManifest { Name = "fragile" }, "broken-hash", "test", Activate: true));
        var state = host.Services.GetRequiredService<Needle.Serving.INeedleServingState>();
        await Eventually.WaitAsync(() => state.LoadErrors.ContainsKey("fragile@2"), "the node to poll the store and fail to load fragile@2");

        var entry = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["needle"];

        Assert.AreEqual(HealthStatus.Degraded, entry.Status, entry.Description);
        StringAssert.Contains(entry.Description, "fragile@2");
        CollectionAssert.Contains(((IReadOnlyList<string>)entry.Data["notServed"]).ToList(), "fragile@2");
        Assert.AreEqual("1", (await host.GetAsync("/fn/fragile")).Body, "the previous version keeps serving");
    }

    [TestMethod]
    public async Task Check_AnotherProcessBeatsWithThisNodeId_IsDegradedAndSaysToSetNodeId()
    {
        await using var host = await TestHost.StartAsync(o =>
        {
            o.NodeHeartbeatInterval = TimeSpan.FromMilliseconds(100);
            o.NodeGoneAfter = TimeSpan.FromSeconds(5);
        });
        await host.DeployAsync("fine", "export default () => 1;");
        var state = host.Services.GetRequiredService<Needle.Serving.INeedleServingState>();
        var store = host.Services.GetRequiredService<INeedleStore>();

        // What a second process with the same Needle:NodeId writes at each of its beats: the row, as its own.
        HealthReportEntry entry = default;
        for (var i = 0; i < 100; i++)
        {
            await store.HeartbeatNodeAsync(state.NodeId, state.AppliedRevision, "fine=1", "impostor");
            await Task.Delay(150);
            entry = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["needle"];
            if (entry.Status == HealthStatus.Degraded)
            {
                break;
            }
        }

        Assert.AreEqual(HealthStatus.Degraded, entry.Status, entry.Description);
        StringAssert.Contains(entry.Description, "Needle:NodeId");
        Assert.AreEqual("impostor", entry.Data["nodeIdSharedWith"]);
        Assert.AreEqual("1", (await host.GetAsync("/fn/fine")).Body, "it still serves");
    }

    [TestMethod]
    public async Task Check_StoreUnreachable_ReportsFailureWithoutThrowing()
    {
        await using var host = await TestHost.StartAsync();
        var broken = new HealthCheckRegistration("needle", _ => null!, HealthStatus.Unhealthy, null);
        var check = new Needle.Observability.HealthChecks.NeedleHealthCheck(new ServingStateStub { Check = () => throw new InvalidOperationException("database is locked") });

        var result = await check.CheckHealthAsync(new HealthCheckContext { Registration = broken });

        Assert.AreEqual(HealthStatus.Unhealthy, result.Status);
        Assert.IsNotNull(result.Exception);
    }
}
