using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Benchmarks.Drill;

// Incident drill against a running Needle host with AddRollback (the sample): steady load on a function, a canary at
// 10 % that fails half its requests, the guard's rollback; then an emergency patch and the time until all traffic
// is served by the patched version. Prints a markdown report.
//   dotnet run -c Release --project benchmarks/Needle.Benchmarks.Drill -- http://127.0.0.1:5080 [concurrency] [seconds-after]
//   ... -- http://127.0.0.1:5080 [concurrency] [releases] false-rollbacks [healthy-watch-seconds]   (the false-rollback drill)
//   ... -- http://127.0.0.1:5081,http://127.0.0.1:5082,http://127.0.0.1:5083 [concurrency per node] [seconds-after]   (the drill on a cluster)
if (args.Length > 0 && args[0].Contains(',', StringComparison.Ordinal))
{
    var nodes = args[0].Split(',').Select(a => new Uri(a)).ToList();
    var perNode = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 6;
    await ClusterDrill.RunAsync(nodes, perNode, TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10));
    return;
}

var host = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:5080");
var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
if (args.Length > 3 && args[3] == "false-rollbacks")
{
    var watchSeconds = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 15;
    await FalseRollbackDrill.RunAsync(host, concurrency, int.Parse(args[2], CultureInfo.InvariantCulture), TimeSpan.FromSeconds(watchSeconds));
    return;
}

var after = TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10);
var name = "drill-" + Guid.NewGuid().ToString("n")[..6];
var manifest = new { route = "/" + name, methods = new[] { "GET" } };
const string Good = "export default (req, ctx) => {\n  const answer = 42;\n  return { ok: true, answer };\n};\n";
const string Bad = "export default () => {\n  if (Math.random() < 0.5) { throw new Error('drill: half of the canary fails'); }\n  return { ok: true, answer: 41 };\n};\n";
const string Diff = "--- a/fn.js\n+++ b/fn.js\n@@ -1,4 +1,4 @@\n export default (req, ctx) => {\n-  const answer = 42;\n+  const answer = 43;\n   return { ok: true, answer };\n };\n";

using var api = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host };
using var load = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = concurrency }) { BaseAddress = host };
var clock = Stopwatch.StartNew();

var deployed = await DrillApi.PostAsync(api, $"/needle/api/functions/{name}/versions", new { source = Good, manifest, reason = "drill: stable" });
var baseHash = deployed["contentHash"]!.GetValue<string>();

using var stop = new CancellationTokenSource();
var steady = new SteadyLoad(load, $"/fn/{name}", concurrency, clock);
var running = steady.RunAsync(stop.Token);
await Task.Delay(TimeSpan.FromSeconds(3));

// The incident: a canary at 10 % that fails half its requests.
var canaryAt = clock.Elapsed;
await DrillApi.PostAsync(api, $"/needle/api/functions/{name}/versions", new { source = Bad, manifest, canary = new { weight = 10 }, reason = "drill: bad canary" });
TimeSpan? rolledBackAt = null;
while (clock.Elapsed - canaryAt < TimeSpan.FromSeconds(60))
{
    var release = (await api.GetFromJsonAsync<JsonNode>($"/needle/api/functions/{name}"))!["function"]!["release"]!;
    if (release["canaryVersion"] is null)
    {
        rolledBackAt = clock.Elapsed;
        break;
    }

    await Task.Delay(10);
}

await Task.Delay(after);

// The fix: an emergency patch of the stable version; measured until the first response of the patched version.
var patchAt = clock.Elapsed;
var patch = await DrillApi.PostAsync(api, $"/needle/api/functions/{name}/patches", new { baseHash, diff = Diff, reason = "drill: emergency patch", ticket = "DRILL-1" });
TimeSpan? patchedAt = null;
while (clock.Elapsed - patchAt < TimeSpan.FromSeconds(60) && patchedAt is null)
{
    patchedAt = steady.Results.Where(r => r.At > patchAt && r.Version == $"{name}@3").Select(r => (TimeSpan?)r.At).FirstOrDefault();
    await Task.Delay(5);
}

await Task.Delay(TimeSpan.FromSeconds(2));
stop.Cancel();
await running;

var results = steady.Results.OrderBy(r => r.At).ToList();
var firstFailure = results.FirstOrDefault(r => r.Status >= 500 && r.At >= canaryAt).At;
var lastCanary = results.LastOrDefault(r => r.Version == $"{name}@2").At;
var failed = results.Count(r => r.Status is >= 500 or 0);
var drill = results.Where(r => r.At >= canaryAt - TimeSpan.FromSeconds(3) && r.At <= canaryAt + after).ToList();
var drillFailed = drill.Count(r => r.Status is >= 500 or 0);
var afterPatch = results.Where(r => patchedAt is { } p && r.At > p + TimeSpan.FromMilliseconds(50)).ToList();
var audit = await api.GetFromJsonAsync<JsonArray>($"/needle/api/audit?function={name}&limit=20");
var guardReason = audit!.FirstOrDefault(e => e!["action"]!.GetValue<string>() == "rollback")?["reason"]?.GetValue<string>();

string Ms(TimeSpan? t) => t is { } v ? v.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms" : "n/a";
System.Console.WriteLine($"| Figure | Value |");
System.Console.WriteLine($"|---|---|");
System.Console.WriteLine($"| Load | {concurrency} concurrent loops, {results.Count} requests in {clock.Elapsed.TotalSeconds:F1} s ({results.Count / clock.Elapsed.TotalSeconds:F0} req/s) |");
System.Console.WriteLine($"| Canary deployed → first failure | {Ms(firstFailure - canaryAt)} |");
System.Console.WriteLine($"| First failure → rollback (release without canary) | {Ms(rolledBackAt - firstFailure)} |");
System.Console.WriteLine($"| First failure → last request served by the canary | {Ms(lastCanary - firstFailure)} |");
System.Console.WriteLine($"| Failed requests, drill window (3 s before the canary to {after.TotalSeconds:F0} s after) | {drillFailed} of {drill.Count} ({100.0 * drillFailed / Math.Max(1, drill.Count):F2} %) |");
System.Console.WriteLine($"| Failed requests, whole run | {failed} of {results.Count} ({100.0 * failed / Math.Max(1, results.Count):F2} %) |");
System.Console.WriteLine($"| Emergency patch request → first response of the patched version | {Ms(patchedAt - patchAt)} (patch {patch["id"]?.GetValue<string>()}) |");
System.Console.WriteLine($"| Responses after that not from the patched version | {afterPatch.Count(r => r.Version != $"{name}@3")} of {afterPatch.Count} |");
System.Console.WriteLine();
System.Console.WriteLine($"Guard's audited reason: {guardReason}");
