using System.Diagnostics;
using System.Globalization;
using Needle.Benchmarks.Soak;

// Soak (issue #12's "Measure"): 20 functions in one host, the abusive ones among them, called in a loop with mixed
// traffic. Prints a markdown report for docs/benchmarks.md: host RSS and thread pool over time, failed requests on the
// well-behaved functions, and the probe's p99 on the quiet host (well-behaved traffic only) beside its p99 in the soak.
//   dotnet run -c Release --project benchmarks/Needle.Benchmarks.Soak -- [minutes=10] [quiet-seconds=60] [sample-seconds=10] [workers=4]
var minutes = Arg(0, 10);
var quiet = TimeSpan.FromSeconds(Arg(1, 60));
var every = TimeSpan.FromSeconds(Arg(2, 10));
var workers = (int)Arg(3, 4);
var duration = TimeSpan.FromMinutes(minutes);

await using var host = await SoakHost.StartAsync();
foreach (var function in SoakFunctions.Served)
{
    var (status, text) = await host.TryDeployAsync(function.Name, function.Source, function.Manifest);
    if (status != 201)
    {
        System.Console.Error.WriteLine($"deploy of {function.Name} failed: {status} {text}");
        return 1;
    }
}

var refusals = new List<(string Name, int Status, double Seconds)>();
async Task TryRefusedAsync()
{
    foreach (var (name, source) in SoakFunctions.Refused)
    {
        var started = Stopwatch.GetTimestamp();
        var (status, _) = await host.TryDeployAsync(name, source, new { runtime = "csharp", route = "/" + name, methods = new[] { "GET" } });
        lock (refusals)
        {
            refusals.Add((name, status, Stopwatch.GetElapsedTime(started).TotalSeconds));
        }
    }
}

await TryRefusedAsync();

using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 256 }) { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(30) };
using var stop = new CancellationTokenSource();
var traffic = new SoakTraffic(client, SoakFunctions.Served, workers);
var samples = new List<SoakSample>();
var clock = Stopwatch.StartNew();
var phase = "quiet";
traffic.StartWellBehaved(stop.Token);
var nextSample = TimeSpan.Zero;
var nextRefusal = quiet + TimeSpan.FromMinutes(1);
while (clock.Elapsed < quiet + duration)
{
    if (phase == "quiet" && clock.Elapsed >= quiet)
    {
        phase = "soak";
        traffic.StartAbuse(stop.Token);
    }

    if (clock.Elapsed >= nextSample)
    {
        samples.Add(SoakSample.Take(clock.Elapsed, phase, traffic.Requests, traffic.WellBehavedFailed));
        System.Console.Error.WriteLine($"{clock.Elapsed:mm\\:ss} {phase} RSS {samples[^1].RssBytes >> 20} MB, thread pool {samples[^1].ThreadPoolThreads}, requests {samples[^1].Requests}, well-behaved failed {samples[^1].WellBehavedFailed}");
        nextSample += every;
    }

    if (clock.Elapsed >= nextRefusal)
    {
        // A stuck C# deploy now and then, while the traffic runs: refused or stopped at the load limit each time.
        await TryRefusedAsync();
        nextRefusal += TimeSpan.FromMinutes(1);
    }

    await Task.Delay(200);
}

await stop.CancelAsync();
await traffic.StopAsync();
samples.Add(SoakSample.Take(clock.Elapsed, "end", traffic.Requests, traffic.WellBehavedFailed));
System.Console.WriteLine(SoakReport.Markdown(minutes, quiet, every, workers, samples, traffic, refusals));
return traffic.WellBehavedFailed == 0 ? 0 : 3;

double Arg(int index, double fallback) => args.Length > index ? double.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
