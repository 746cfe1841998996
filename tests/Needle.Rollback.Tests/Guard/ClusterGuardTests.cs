using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Needle.Observability.Health;
using Needle.Rollback.Guard;
using Needle.Rollback.Tests.Infrastructure;

namespace Needle.Rollback.Tests.Guard;

/// <summary>
/// Three hosts (nodes) on one store (a SQLite file, or PostgreSQL with Hangfire's jobs there too) with Needle.Observability: each guard judges the canary on the cluster's
/// counts, and when all three see the same breach, the cluster gets one rollback and one audit event.
/// </summary>
[TestClass]
public sealed class ClusterGuardTests
{
    [TestMethod]
    public async Task EvaluateAll_BreachSeenOnThreeNodesOnOneSqliteFile_OneRollbackAndOneAuditEvent()
    {
        using var folder = TemporaryDirectory.Create("needle-cluster-guard");
        await BreachOnThreeNodesAsync(folder.Path, postgres: null);
    }

    [TestMethod]
    public async Task EvaluateAll_BreachSeenOnThreeNodesOnPostgres_OneRollbackAndOneAuditEvent()
    {
        // One PostgreSQL database for the store, Rollback's state and Hangfire's jobs, as a cluster has it.
        var database = await PostgresServer.CreateDatabaseAsync();
        await BreachOnThreeNodesAsync(directory: null, database);
    }

    private static async Task BreachOnThreeNodesAsync(string? directory, string? postgres)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 4, 0, 0, TimeSpan.Zero));
        var hosts = new List<RollbackTestHost>();
        try
        {
            foreach (var id in new[] { "node-a", "node-b", "node-c" })
            {
                hosts.Add(await RollbackTestHost.StartAsync(NoLoop, directory, time, observability: true, postgres: postgres, jobsInMemory: postgres is null, nodeId: id));
            }

            var (a, b, c) = (hosts[0], hosts[1], hosts[2]);
            await a.DeployOrdersAsync();
            using var deploy = await a.Client.PostAsJsonAsync("/needle/api/functions/orders/versions", new { source = "export default () => { throw new Error('boom'); };\n", manifest = RollbackTestHost.Manifest, canary = new { weight = 10 } });
            Assert.IsTrue(deploy.IsSuccessStatusCode, await deploy.Content.ReadAsStringAsync());
            foreach (var host in hosts)
            {
                await Eventually.WaitAsync(
                    () =>
                    {
                        // The store's poll runs on the fake clock: move it on.
                        time.Advance(TimeSpan.FromMilliseconds(500));
                        return host.Get<CanaryGuard>().Canaries(includeKilled: false).Any(x => x.Canary.Number == 2);
                    },
                    $"{host.Get<Serving.INeedleServingState>().NodeId} serves the canary");
            }

            // Only node A takes the canary's traffic (pinned: 30 failures); every node serves some stable traffic.
            for (var i = 0; i < 30; i++)
            {
                Assert.AreEqual(500, await PinnedAsync(a, "canary"));
            }

            foreach (var host in hosts)
            {
                for (var i = 0; i < 40; i++)
                {
                    Assert.AreEqual(200, await PinnedAsync(host, "stable"));
                }
            }

            await Eventually.WaitAsync(
                () =>
                {
                    time.Advance(TimeSpan.FromMilliseconds(200));
                    return hosts.All(h => h.Get<INeedleClusterHealth>().GetSample("orders", 2, TimeSpan.FromMinutes(1))?.Errors == 30
                        && h.Get<INeedleClusterHealth>().GetSample("orders", 1, TimeSpan.FromMinutes(1))?.Requests >= 120);
                },
                "every node's cluster figures hold A's 30 canary failures and all 120 stable calls");

            // Every node sees the breach on the cluster's counts, though B and C never ran the canary.
            foreach (var host in hosts)
            {
                var (stable, canary) = host.Get<CanaryGuard>().Canaries(includeKilled: false).Single();
                var decision = host.Get<CanaryGuard>().Judge(stable, canary);
                Assert.AreEqual(GuardVerdict.Breach, decision.Verdict, decision.Reason);
            }

            Assert.AreEqual(0, b.Get<RequestHealthSource>().GetSample("orders", 2, TimeSpan.FromMinutes(1)).Requests, "B's own requests never reached the canary");

            // All three guards act at once, as their loops would on the same cluster figures.
            var results = await Task.WhenAll(hosts.Select(h => h.Get<CanaryGuard>().EvaluateAllAsync(CancellationToken.None)));

            Assert.AreEqual(1, results.SelectMany(r => r).Count(r => r.RolledBack), "exactly one node's guard rolled back");
            var audit = await c.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");
            Assert.AreEqual(1, audit!.Count(e => e!["action"]!.GetValue<string>() == "rollback"), audit!.ToJsonString());
            var releases = await b.Client.GetFromJsonAsync<JsonArray>("/needle/api/functions/orders/releases");
            Assert.AreEqual(1, releases!.Count(r => r!["action"]!.GetValue<string>() == "rollback"));
            Assert.IsNull((await c.ReleaseAsync())["canaryVersion"]?.GetValue<int?>());
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    // The guards' own loops stay off: the test evaluates all three at once, after checking that each sees the breach.
    private static void NoLoop(Needle.Rollback.Hosting.RollbackOptions options)
    {
        options.GuardEnabled = false;
        options.Guard.ConsecutiveBreaches = 1;
    }

    // Pinned with Needle-Pin, so which version answers is decided by the test, not by the canary's weight.
    private static async Task<int> PinnedAsync(RollbackTestHost host, string pin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fn/orders") { Headers = { { "Needle-Pin", pin } } };
        using var response = await host.Client.SendAsync(request);
        return (int)response.StatusCode;
    }
}
