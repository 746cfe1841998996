// C# functions benchmark. Modes:
//   serve [port]   the host with /native/hello, /native/products, /fn/cs/hello and /fn/cs/products, until killed (wrk runs against it)
//   deploy [n]     median deploy-to-serving of n changed C# deploys (warm)
//   churn [n] [same-source] [settled]
//                  n successive versions of one function: managed heap, RSS (and where it is), loads and unloads;
//                  memory every 250 versions (settled: after the same collections and pause as the final figure)
using System.Diagnostics;
using Needle.Benchmarks.CSharp;

var mode = args.Length > 0 ? args[0] : "serve";
var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
switch (mode)
{
    case "serve":
        await using (var host = await BenchmarkHost.StartAsync(count == 0 ? 5090 : count))
        {
            await host.DeployAsync("hello-cs", BenchmarkHost.Function("hello-cs.cs"), "/cs/hello");
            await host.DeployAsync("products-cs", BenchmarkHost.Function("products-cs.cs"), "/cs/products");
            System.Console.WriteLine($"serving on {host.Address}");
            // The host's console lifetime turns SIGTERM and Ctrl+C into a stop; wait for it, then dispose.
            await Task.Delay(Timeout.Infinite, host.Stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        break;
    case "deploy":
        await DeployLatency.RunAsync(count == 0 ? 100 : count);
        break;
    case "churn":
        await Churn.RunAsync(count == 0 ? 1000 : count, sameSource: args.Skip(2).Contains("same-source"), settled: args.Skip(2).Contains("settled"));
        break;
    default:
        System.Console.Error.WriteLine($"unknown mode {mode}");
        return 2;
}

return 0;

internal static class DeployLatency
{
    public static async Task RunAsync(int count)
    {
        await using var host = await BenchmarkHost.StartAsync(0);
        var template = BenchmarkHost.Function("hello-cs.cs");

        // Warm: Roslyn's first compilation, the JIT of Needle's deploy path, SQLite.
        for (var i = 0; i < 5; i++)
        {
            await host.DeployAsync("deployed", template.Replace("Hello,", $"Warm {i},", StringComparison.Ordinal), "/deployed");
        }

        var total = new List<double>();
        var afterReturn = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var source = template.Replace("Hello,", $"Hello {i},", StringComparison.Ordinal);
            var started = Stopwatch.GetTimestamp();
            var number = await host.DeployAsync("deployed", source, "/deployed");
            var returned = Stopwatch.GetTimestamp();
            var expected = $"deployed@{number}";
            while (true)
            {
                using var response = await host.Client.GetAsync("/fn/deployed");
                if (response.Headers.TryGetValues("Needle-Version", out var values) && values.First() == expected && response.IsSuccessStatusCode)
                {
                    break;
                }
            }

            var served = Stopwatch.GetTimestamp();
            total.Add(Stopwatch.GetElapsedTime(started, served).TotalMilliseconds);
            afterReturn.Add(Stopwatch.GetElapsedTime(returned, served).TotalMilliseconds);
        }

        System.Console.WriteLine($"deploys: {count} changed C# versions (warm), compilations: {host.Statistics.Compilations}");
        System.Console.WriteLine($"deploy call start -> first response from the new version: median {Median(total):F1} ms, p90 {Percentile(total, 0.9):F1} ms, max {total.Max():F1} ms");
        System.Console.WriteLine($"deploy call returned -> first response from the new version: median {Median(afterReturn):F2} ms");
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }
}

internal static class Churn
{
    // sameSource: every version has the same source and another config, so the image is compiled once and only
    // loading and unloading repeat (to tell the compiler's share of memory from the load contexts').
    // settled: each 250 versions, the same collections and pause as before the final figure, so that the curve
    // shows what stays (otherwise it also shows the GC heap's working size and memory not yet given back); the
    // elapsed time then includes the pauses.
    public static async Task RunAsync(int count, bool sameSource, bool settled)
    {
        s_sameSource = sameSource;
        await using var host = await BenchmarkHost.StartAsync(0);
        var template = BenchmarkHost.Function("products-cs.cs");
        var statistics = host.Statistics;
        await DeployAndCallAsync(host, template, -1);
        for (var i = -10; i < 0; i++)
        {
            await DeployAndCallAsync(host, template, i);
        }

        Settle(host);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var before = ProcessMemory.Now();
        System.Console.WriteLine($"  before:      {before}");
        var (loadedBefore, unloadedBefore, collectedBefore, trimsBefore) = (statistics.Loaded, statistics.Unloaded, statistics.Collected(), statistics.NativeHeapTrims);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await DeployAndCallAsync(host, template, i);
            if ((i + 1) % 250 == 0)
            {
                if (settled)
                {
                    Settle(host);
                }

                System.Console.WriteLine($"  after {i + 1,5}: {ProcessMemory.Now()}, GC heap {ProcessMemory.Mb(GC.GetTotalMemory(false))} MB, collected {statistics.Collected() - collectedBefore}");
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        Settle(host);
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var after = ProcessMemory.Now();
        System.Console.WriteLine($"  after:       {after}");
        var swaps = count;
        System.Console.WriteLine($"GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:F1} MB");
        System.Console.WriteLine($"churn: {count} successive versions of one function ({(s_sameSource ? "same source, new config" : "changed source")}; deploy + one request each) in {elapsed.TotalSeconds:F1} s");
        System.Console.WriteLine($"managed heap: {heapBefore / 1048576.0:F1} MB -> {heapAfter / 1048576.0:F1} MB ({Delta(heapAfter - heapBefore)} MB)");
        System.Console.WriteLine($"process RSS:  {before.Rss / 1048576.0:F1} MB -> {after.Rss / 1048576.0:F1} MB ({Delta(after.Rss - before.Rss)} MB: anonymous {Delta(after.Anonymous - before.Anonymous)}, files {Delta(after.File - before.File)}, shared {Delta(after.Shared - before.Shared)})");
        System.Console.WriteLine($"swaps: {swaps}, load contexts loaded: {statistics.Loaded - loadedBefore}, unloaded: {statistics.Unloaded - unloadedBefore}, collected: {statistics.Collected() - collectedBefore}");
        System.Console.WriteLine($"native heap trims: {statistics.NativeHeapTrims - trimsBefore} ({statistics.NativeHeapTrimTime.TotalMilliseconds:F0} ms in all since start)");
    }

    private static bool s_sameSource;

    private static string Delta(long bytes) => (bytes / 1048576.0).ToString("+0.0;-0.0;0.0", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task DeployAndCallAsync(BenchmarkHost host, string template, int i)
    {
        var source = s_sameSource ? template : template.Replace("Product {i + 1}", $"Product {{i + 1}} v{i}", StringComparison.Ordinal);
        await host.DeployAsync("churned", source, "/churned", configVersion: i);
        using var response = await host.Client.GetAsync("/fn/churned?category=tools");
        response.EnsureSuccessStatusCode();
    }

    private static void Settle(BenchmarkHost host)
    {
        for (var i = 0; i < 10; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(20);
        }

        // Aggressive: compacts and gives free memory back to the OS, on both sides of the measurement alike.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        _ = host.Statistics.Collected();

        // Needle trims the native heap within a second or two of unloaded contexts being collected
        // (NativeHeapTrimmer); a host that has just swapped versions gets there on its own. Same wait on both sides.
        Thread.Sleep(Needle.Runtime.CSharp.NativeHeapTrimmer.Interval * 3);
    }
}
