using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Needle.Rollback.Tests.Infrastructure;

namespace Needle.Rollback.Tests.Rollbacks;

[TestClass]
public sealed class ExistingHangfireTests
{
    [TestMethod]
    public async Task UseExistingHangfire_TheHostsServerRunsNeedlesJobs()
    {
        // The host's Hangfire: its storage in DI and a server of its own. Not through AddHangfire, which sets Hangfire's
        // process-wide log provider to this host's logger factory and breaks every later host in the test run.
        var storage = new InMemoryStorage();
        await using var host = await RollbackTestHost.StartAsync(o => o.UseExistingHangfire(), services: s => s.AddSingleton<JobStorage>(storage));
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions { Activator = new AspNetCoreJobActivator(host.Services.GetRequiredService<IServiceScopeFactory>()) }, storage);
        await host.DeployOrdersAsync();
        await host.DeployOrdersAsync("export default () => ({ v: 2 });\n");

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/rollback?async=true", new { reason = "host's Hangfire" });
        await RollbackTestHost.WaitForAsync(
            async () => (await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders"))!.Any(e => e!["action"]!.GetValue<string>() == "rollback-served"),
            "the host's server to run the rollback job");

        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode);
        Assert.AreEqual(1, (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>());

        // The job writes its audit event before Hangfire records it succeeded: on a loaded machine that takes a moment.
        await RollbackTestHost.WaitForAsync(() => Task.FromResult(storage.GetMonitoringApi().SucceededListCount() >= 1), "the host's storage to record the job succeeded");
        server.SendStop();
    }
}
