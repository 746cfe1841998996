using System.Text.Json.Nodes;

namespace Needle.Cluster.Tests;

/// <summary>
/// Three sample hosts in processes of their own on one PostgreSQL: each publishes its health windows, and every node's
/// <c>GET /health?scope=cluster</c> adds up all three as sums.
/// </summary>
[TestClass]
public sealed class ClusterHealthTests
{
    [TestMethod]
    public async Task GetHealth_ScopeCluster_AddsUpTheCallsEveryNodeServed()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster[0].Client.DeployAsync("flaky", "export default async (req) => { if (req.query.fail) throw new Error('bad'); return 'ok'; };");
        await cluster.WaitForAllAsync("/fn/flaky", "flaky@1");

        // A: 10 good calls, B: 20 good calls, C: 30 failures. Only C failed, and only C's failures can make 30 errors.
        var plan = new (int Node, int Calls, string Path)[] { (0, 10, "/fn/flaky"), (1, 20, "/fn/flaky"), (2, 30, "/fn/flaky?fail=1") };
        foreach (var (node, calls, path) in plan)
        {
            for (var i = 0; i < calls; i++)
            {
                await cluster[node].GetAsync(path);
            }
        }

        // Each node's own (scope=node) count includes the calls WaitForAllAsync made; the cluster's must be their sum.
        var nodeTotals = new List<long>();
        foreach (var node in cluster.Nodes)
        {
            nodeTotals.Add(FiveMinutes(await HealthAsync(node, "node"))!["requests"]!.GetValue<long>());
        }

        foreach (var node in cluster.Nodes)
        {
            var summary = await Eventually.ValueAsync(
                () => HealthAsync(node, "cluster"),
                s => FiveMinutes(s)?["requests"]?.GetValue<long>() == nodeTotals.Sum() && s["nodes"]!.AsArray().Count == 3,
                $"{node.Id}'s cluster figures to add up all three nodes ({nodeTotals.Sum()} calls)",
                TimeSpan.FromSeconds(30));
            var window = FiveMinutes(summary)!;
            Assert.AreEqual(30, window["errors"]!.GetValue<long>(), node.Id);
            Assert.AreEqual(30.0 / nodeTotals.Sum(), window["errorRatio"]!.GetValue<double>(), 1e-9, $"{node.Id}: a ratio of the sums");
        }
    }

    private static async Task<JsonNode> HealthAsync(ClusterNode node, string scope)
    {
        var (status, body, _) = await node.GetAsync($"/needle/api/health?scope={scope}");
        Assert.AreEqual(200, status, $"{node.Id}: {body}");
        return JsonNode.Parse(body)!;
    }

    private static JsonNode? FiveMinutes(JsonNode summary) =>
        summary["functions"]!.AsArray().SingleOrDefault(f => f!["function"]!.GetValue<string>() == "flaky")?["windows"]![2];
}
