using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Needle.Benchmarks.Drill;

/// <summary>
/// The false-rollback drill: under steady load, healthy canary releases (the stable version's behaviour) that the guard
/// must keep, and bad ones (errors +10 points, +200 ms on every request, every request failing) that it must roll back.
/// Prints false rollbacks, missed bad canaries and the first failure → rollback times as a markdown report.
/// </summary>
internal static class FalseRollbackDrill
{
    private const string Good = "export default (req, ctx) => {\n  const answer = 42;\n  return { ok: true, answer }; // release {0}\n};\n";

    private static readonly (string Kind, string Source)[] Bad =
    [
        ("errors +10 points", "export default () => {\n  if (Math.random() < 0.1) { throw new Error('drill: 10 % fail'); }\n  return { ok: true, answer: 41 }; // release {0}\n};\n"),
        ("+200 ms", "export default async (req, ctx) => {\n  await ctx.fetch('http://backend/delay/200');\n  return { ok: true, answer: 41 }; // release {0}\n};\n"),
        ("all failing", "export default () => {\n  throw new Error('drill: every request fails'); // release {0}\n};\n"),
    ];

    public static async Task RunAsync(Uri host, int concurrency, int releases, TimeSpan healthyWatch)
    {
        var name = "drill-fr-" + Guid.NewGuid().ToString("n")[..6];
        var manifest = new { route = "/" + name, methods = new[] { "GET" }, services = new[] { "backend" } };
        using var api = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host };
        using var load = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = concurrency }) { BaseAddress = host };
        var clock = Stopwatch.StartNew();
        await DrillApi.PostAsync(api, $"/needle/api/functions/{name}/versions", new { source = Good.Replace("{0}", "stable", StringComparison.Ordinal), manifest, reason = "drill: stable" });

        using var stop = new CancellationTokenSource();
        var steady = new SteadyLoad(load, $"/fn/{name}", concurrency, clock);
        var running = steady.RunAsync(stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(5));

        var falseRollbacks = new List<string>();
        for (var i = 0; i < releases; i++)
        {
            var version = await DeployCanaryAsync(api, name, manifest, Good.Replace("{0}", "healthy-" + i, StringComparison.Ordinal));
            var rolledBack = await WaitForRollbackAsync(api, name, healthyWatch);
            if (rolledBack)
            {
                falseRollbacks.Add($"v{version}: {await RollbackReasonAsync(api, name)}");
            }
            else
            {
                await DrillApi.PostAsync(api, $"/needle/api/functions/{name}/abort", new { reason = "drill: healthy release observed" });
            }
        }

        var times = new List<(string Kind, double Seconds)>();
        var missed = new List<string>();
        for (var i = 0; i < releases; i++)
        {
            var (kind, source) = Bad[i % Bad.Length];
            var deployedAt = clock.Elapsed;
            var version = await DeployCanaryAsync(api, name, manifest, source.Replace("{0}", "bad-" + i, StringComparison.Ordinal));
            var rolledBack = await WaitForRollbackAsync(api, name, TimeSpan.FromSeconds(30));
            var rolledBackAt = clock.Elapsed;
            var label = $"{name}@{version}";
            var firstFailure = steady.Results
                .Where(r => r.At >= deployedAt && r.Version == label && (r.Status >= 500 || r.Duration >= TimeSpan.FromMilliseconds(150)))
                .Select(r => r.At - r.Duration)
                .DefaultIfEmpty(deployedAt)
                .Min();
            if (rolledBack)
            {
                times.Add((kind, (rolledBackAt - firstFailure).TotalSeconds));
            }
            else
            {
                missed.Add($"v{version} ({kind})");
                await DrillApi.PostAsync(api, $"/needle/api/functions/{name}/abort", new { reason = "drill: bad release missed" });
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        stop.Cancel();
        await running;

        var results = steady.Results;
        var sorted = times.Select(t => t.Seconds).Order().ToList();
        string S(double? s) => s is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) + " s" : "n/a";
        System.Console.WriteLine("| Figure | Value |");
        System.Console.WriteLine("|---|---|");
        System.Console.WriteLine($"| Load | {concurrency} concurrent loops, {results.Count} requests in {clock.Elapsed.TotalSeconds:F0} s ({results.Count / clock.Elapsed.TotalSeconds:F0} req/s) |");
        System.Console.WriteLine($"| Healthy canary releases (10 %, each watched {healthyWatch.TotalSeconds:F0} s) | {releases} |");
        System.Console.WriteLine($"| False rollbacks | {falseRollbacks.Count} of {releases} (target 0) |");
        System.Console.WriteLine($"| Bad canary releases (10 %: {string.Join(", ", Bad.Select(b => b.Kind))}, in turn) | {releases} |");
        System.Console.WriteLine($"| Missed bad canaries (not rolled back within 30 s) | {missed.Count} of {releases} (target 0) |");
        System.Console.WriteLine($"| First failure → rollback, median | {S(sorted.Count == 0 ? null : sorted[sorted.Count / 2])} |");
        System.Console.WriteLine($"| First failure → rollback, worst | {S(sorted.Count == 0 ? null : sorted[^1])} (target ≤ 10 s) |");
        foreach (var group in times.GroupBy(t => t.Kind))
        {
            System.Console.WriteLine($"| ... {group.Key}: median / worst | {S(group.Select(g => g.Seconds).Order().ElementAt(group.Count() / 2))} / {S(group.Max(g => g.Seconds))} |");
        }

        System.Console.WriteLine();
        foreach (var line in falseRollbacks.Concat(missed))
        {
            System.Console.WriteLine("- " + line);
        }
    }

    private static async Task<int> DeployCanaryAsync(HttpClient api, string name, object manifest, string source)
    {
        var created = await DrillApi.PostAsync(api, $"/needle/api/functions/{name}/versions", new { source, manifest, canary = new { weight = 10 }, reason = "drill: canary" });
        return created["version"]!.GetValue<int>();
    }

    private static async Task<bool> WaitForRollbackAsync(HttpClient api, string name, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            var release = (await api.GetFromJsonAsync<JsonNode>($"/needle/api/functions/{name}"))!["function"]!["release"]!;
            if (release["canaryVersion"] is null)
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    private static async Task<string?> RollbackReasonAsync(HttpClient api, string name)
    {
        var audit = await api.GetFromJsonAsync<JsonArray>($"/needle/api/audit?function={name}&limit=5");
        return audit!.FirstOrDefault(e => e!["action"]!.GetValue<string>() == "rollback")?["reason"]?.GetValue<string>();
    }
}
