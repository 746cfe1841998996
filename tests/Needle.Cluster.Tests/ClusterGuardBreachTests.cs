using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Needle.Cluster.Tests;

/// <summary>
/// Three sample hosts in processes of their own, each with its own guard loop judging the cluster's health windows:
/// a bad canary under traffic on all three is seen in breach by every node's guard, and the cluster gets one
/// rollback and one audit event, with the stable version serving everywhere after it.
/// </summary>
[TestClass]
public sealed class ClusterGuardBreachTests
{
    [TestMethod]
    public async Task Guard_BadCanarySeenInBreachOnThreeNodes_OneRollbackAndOneAuditEvent()
    {
        // Twenty breaches in a row before a guard acts. Under failing traffic a guard evaluates every 200 ms debounce
        // (plus the evaluation itself; at the latest every 2 s interval), so five gave only a second or so in which every
        // node's /guard had to be seen judging the breach; twenty give four seconds and more.
        await using var cluster = await TestCluster.StartAsync(3, new Dictionary<string, string>
        {
            ["Needle:Rollback:Guard:ConsecutiveBreaches"] = "20",
        });
        await cluster[0].Client.DeployAsync("orders", "export default async () => ({ ok: true });");
        await cluster.WaitForAllAsync("/fn/orders", "orders@1");
        using var traffic = new CancellationTokenSource();
        var load = cluster.Nodes.Select((node, i) => TrafficAsync(node, "n" + i, traffic.Token)).ToList();

        await cluster[1].Client.DeployAsync("orders", "export default async () => { throw new Error('bad canary'); };", canary: new { weight = 30 });
        var inBreach = new ConcurrentDictionary<string, string>();
        var rolledBack = await Eventually.ValueAsync(
            async () =>
            {
                // All nodes at once: one pass in turn took several answers' time on the loaded machine.
                var verdicts = cluster.Nodes.Select(async node => (node.Id, Verdict: await GuardVerdictAsync(node))).ToList();
                var canary = CanaryAsync(cluster[2]);
                foreach (var (id, verdict) in await Task.WhenAll(verdicts))
                {
                    if (verdict is { Verdict: "breach" } breach)
                    {
                        inBreach.TryAdd(id, breach.Reason);
                    }
                }

                return await canary is null;
            },
            gone => gone,
            "a guard to roll the canary back",
            TimeSpan.FromSeconds(120),
            TimeSpan.FromMilliseconds(100));

        // Every guard's loop runs at least three more times on the rolled-back release: none may act again.
        await Task.Delay(TimeSpan.FromSeconds(8));
        await traffic.CancelAsync();
        var failuresAfter = await Task.WhenAll(load);
        var audit = await cluster[0].Api.ListAuditAsync("orders");
        var releases = (await cluster[2].Client.GetFromJsonAsync<JsonArray>("/needle/api/functions/orders/releases"))!;

        Assert.IsTrue(rolledBack);
        CollectionAssert.AreEquivalent(cluster.Nodes.Select(n => n.Id).ToList(), inBreach.Keys.ToList(), "each node's guard judged the breach on the cluster's figures");
        Assert.AreEqual(1, audit.Count(e => e.Action == "rollback"), string.Join("\n", audit.Select(e => $"{e.Action} {e.Actor} {e.Reason}")));
        Assert.AreEqual(1, releases.Count(r => r!["action"]!.GetValue<string>() == "rollback"), releases.ToJsonString());
        foreach (var node in cluster.Nodes)
        {
            Assert.IsNull(await CanaryAsync(node), $"{node.Id} still has a canary");
            for (var user = 0; user < 20; user++)
            {
                Assert.AreEqual("orders@1", await node.ServedVersionAsync("/fn/orders", $"after-{user}"), node.Id);
            }
        }

        Assert.IsTrue(failuresAfter.All(f => f.Stable == 0), $"stable never failed: {string.Join(", ", failuresAfter)}");
    }

    // Sticky users spread over the 30 % canary; counts the failures the stable version answered (none expected).
    private static async Task<(int Canary, int Stable)> TrafficAsync(ClusterNode node, string prefix, CancellationToken stop)
    {
        var (canary, stable) = (0, 0);
        for (var user = 0; !stop.IsCancellationRequested; user++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/fn/orders") { Headers = { { "Needle-User", $"{prefix}-{user % 200}" } } };
            try
            {
                using var response = await node.Client.SendAsync(request, CancellationToken.None);
                var version = response.Headers.TryGetValues("Needle-Version", out var values) ? values.First() : null;
                if (!response.IsSuccessStatusCode)
                {
                    _ = version == "orders@2" ? canary++ : stable++;
                }
            }
            catch (HttpRequestException)
            {
                stable++;
            }

            await Task.Delay(5, CancellationToken.None);
        }

        return (canary, stable);
    }

    private static async Task<(string Verdict, string Reason)?> GuardVerdictAsync(ClusterNode node)
    {
        var results = await node.Client.GetFromJsonAsync<JsonArray>("/needle/api/guard");
        var canary = results!.FirstOrDefault(r => r!["function"]!.GetValue<string>() == "orders" && r["canaryVersion"]!.GetValue<int>() == 2);
        if (canary?["decision"] is not { } decision)
        {
            return null;
        }

        var verdict = decision["verdict"]!;
        var name = verdict.GetValueKind() == JsonValueKind.Number ? ((Needle.Rollback.Guard.GuardVerdict)verdict.GetValue<int>()).ToString() : verdict.GetValue<string>();
        return (name.ToLowerInvariant(), decision["reason"]?.GetValue<string>() ?? string.Empty);
    }

    private static async Task<int?> CanaryAsync(ClusterNode node)
    {
        var function = await node.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/orders");
        return function!["function"]!["release"]!["canaryVersion"]?.GetValue<int?>();
    }
}
