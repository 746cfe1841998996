using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Needle.Benchmarks.Drill;

/// <summary>
/// The incident drill on a cluster (issue #15): steady load on every node, a bad canary deployed through one node's
/// API, the guards' one rollback (no one calls the API), and an emergency patch through another node. It reports
/// when each node served the canary last after its first failure anywhere, the audited rollbacks (one expected),
/// the failed requests, and when each node first served the patched version.
/// </summary>
internal static class ClusterDrill
{
    private const string Good = "export default (req, ctx) => {\n  const answer = 42;\n  return { ok: true, answer };\n};\n";
    private const string Bad = "export default () => {\n  if (Math.random() < 0.5) { throw new Error('drill: half of the canary fails'); }\n  return { ok: true, answer: 41 };\n};\n";
    private const string Diff = "--- a/fn.js\n+++ b/fn.js\n@@ -1,4 +1,4 @@\n export default (req, ctx) => {\n-  const answer = 42;\n+  const answer = 43;\n   return { ok: true, answer };\n };\n";

    public static async Task RunAsync(IReadOnlyList<Uri> nodes, int concurrencyPerNode, TimeSpan after)
    {
        var name = "drill-" + Guid.NewGuid().ToString("n")[..6];
        var manifest = new { route = "/" + name, methods = new[] { "GET" } };
        var apis = nodes.Select(n => new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = n }).ToList();
        var loads = nodes.Select(n => new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = concurrencyPerNode }) { BaseAddress = n }).ToList();
        try
        {
            var clock = Stopwatch.StartNew();
            var deployed = await DrillApi.PostAsync(apis[0], $"/needle/api/functions/{name}/versions", new { source = Good, manifest, reason = "drill: stable" });
            var baseHash = deployed["contentHash"]!.GetValue<string>();
            await WaitForAllAsync(apis, name, $"{name}@1");

            using var stop = new CancellationTokenSource();
            var steady = loads.Select(client => new SteadyLoad(client, $"/fn/{name}", concurrencyPerNode, clock)).ToList();
            var running = Task.WhenAll(steady.Select(s => s.RunAsync(stop.Token)));
            await Task.Delay(TimeSpan.FromSeconds(3));

            // The incident, through the second node: a canary at 10 % that fails half its requests.
            var canaryAt = clock.Elapsed;
            await DrillApi.PostAsync(apis[1 % apis.Count], $"/needle/api/functions/{name}/versions", new { source = Bad, manifest, canary = new { weight = 10 }, reason = "drill: bad canary" });
            var rolledBackAt = new TimeSpan?[apis.Count];
            while (clock.Elapsed - canaryAt < TimeSpan.FromSeconds(60) && rolledBackAt.Any(t => t is null))
            {
                for (var i = 0; i < apis.Count; i++)
                {
                    if (rolledBackAt[i] is null && await CanaryAsync(apis[i], name) is null)
                    {
                        rolledBackAt[i] = clock.Elapsed;
                    }
                }

                await Task.Delay(10);
            }

            await Task.Delay(after);

            // The fix, through the third node: an emergency patch of the stable version.
            var patchAt = clock.Elapsed;
            var patch = await DrillApi.PostAsync(apis[2 % apis.Count], $"/needle/api/functions/{name}/patches", new { baseHash, diff = Diff, reason = "drill: emergency patch", ticket = "DRILL-1" });
            var patchedAt = new TimeSpan?[apis.Count];
            while (clock.Elapsed - patchAt < TimeSpan.FromSeconds(60) && patchedAt.Any(t => t is null))
            {
                for (var i = 0; i < steady.Count; i++)
                {
                    patchedAt[i] ??= steady[i].Results.Where(r => r.At > patchAt && r.Version == $"{name}@3").Select(r => (TimeSpan?)r.At).FirstOrDefault();
                }

                await Task.Delay(5);
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
            await stop.CancelAsync();
            await running;

            var perNode = steady.Select(s => s.Results.OrderBy(r => r.At).ToList()).ToList();
            var all = perNode.SelectMany(r => r).OrderBy(r => r.At).ToList();
            var firstFailure = all.FirstOrDefault(r => r.Status >= 500 && r.At >= canaryAt).At;
            var window = all.Where(r => r.At >= canaryAt - TimeSpan.FromSeconds(3) && r.At <= canaryAt + after).ToList();
            var windowFailed = window.Count(r => r.Status is >= 500 or 0);
            var audit = await apis[0].GetFromJsonAsync<JsonArray>($"/needle/api/audit?function={name}&limit=50");
            var rollbacks = audit!.Where(e => e!["action"]!.GetValue<string>() == "rollback").ToList();

            string Ms(TimeSpan? t) => t is { } v ? v.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms" : "n/a";
            var lastCanary = perNode.Select(r => r.LastOrDefault(x => x.Version == $"{name}@2").At).ToList();
            System.Console.WriteLine("| Figure | Value |");
            System.Console.WriteLine("|---|---|");
            System.Console.WriteLine($"| Load | {nodes.Count} nodes × {concurrencyPerNode} loops, {all.Count} requests in {clock.Elapsed.TotalSeconds:F1} s ({all.Count / clock.Elapsed.TotalSeconds:F0} req/s) |");
            System.Console.WriteLine($"| Canary deployed (through node 2) → first failure on any node | {Ms(firstFailure - canaryAt)} |");
            System.Console.WriteLine($"| First failure → rollback seen on every node's API (slowest node) | {Ms(rolledBackAt.Max() - firstFailure)} |");
            System.Console.WriteLine($"| First failure → last request served by the canary, per node | {string.Join(" / ", lastCanary.Select(t => Ms(t - firstFailure)))} |");
            System.Console.WriteLine($"| First failure → rolled back everywhere (the latest of those) | **{Ms(lastCanary.Max() - firstFailure)}** (target ≤ 10 s) |");
            System.Console.WriteLine($"| Rollbacks audited (one cluster, three guards) | {rollbacks.Count} |");
            System.Console.WriteLine($"| Failed requests, drill window (3 s before the canary to {after.TotalSeconds:F0} s after) | {windowFailed} of {window.Count} ({100.0 * windowFailed / Math.Max(1, window.Count):F2} %) |");
            System.Console.WriteLine($"| Emergency patch (through node 3) → first response of the patched version, per node | {string.Join(" / ", patchedAt.Select(t => Ms(t - patchAt)))} (patch {patch["id"]?.GetValue<string>()}) |");
            System.Console.WriteLine();
            System.Console.WriteLine($"Guard's audited reason: {rollbacks.FirstOrDefault()?["reason"]?.GetValue<string>()} (actor {rollbacks.FirstOrDefault()?["actor"]?.GetValue<string>()})");
        }
        finally
        {
            foreach (var client in apis.Concat(loads))
            {
                client.Dispose();
            }
        }
    }

    private static async Task<int?> CanaryAsync(HttpClient api, string name)
    {
        var release = (await api.GetFromJsonAsync<JsonNode>($"/needle/api/functions/{name}"))!["function"]!["release"]!;
        return release["canaryVersion"]?.GetValue<int?>();
    }

    private static async Task WaitForAllAsync(IReadOnlyList<HttpClient> nodes, string name, string version)
    {
        var deadline = Stopwatch.StartNew();
        foreach (var node in nodes)
        {
            while (true)
            {
                using var response = await node.GetAsync($"/fn/{name}");
                if (response.Headers.TryGetValues("Needle-Version", out var values) && values.First() == version)
                {
                    break;
                }

                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"{node.BaseAddress} does not serve {version}.");
                }

                await Task.Delay(10);
            }
        }
    }
}
