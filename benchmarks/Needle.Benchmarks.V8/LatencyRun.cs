using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Needle.Benchmarks.V8;

/// <summary>
/// Per-call latency (p50, p99, mean) and the host's allocation per call, each mode in turn on this thread, calls back
/// to back; and the Node vm peer's own in-process figure (node-worker.js --bench, no IPC). Wall-clock figures on a
/// shared machine include the time other processes hold the CPUs; the CPU time per call (this process's, plus the
/// worker's) does not, so its ratios are the steadier ones.
/// </summary>
internal static class LatencyRun
{
    public static int Run(SampleFunction function, int calls)
    {
        var output = new PooledBuffer();
        var rows = new List<(string Name, double P50, double P99, double Mean, double Alloc, double Cpu)>();
        foreach (var runtime in Modes.All(function))
        {
            using (runtime)
            {
                for (var i = 0; i < Math.Min(calls, 5_000); i++)
                {
                    runtime.Invoke(SampleFunction.Request, "bench-1", output);
                }

                var samples = new double[calls];
                var cpu = CpuTime(runtime.WorkerProcessId);
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < calls; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    runtime.Invoke(SampleFunction.Request, "bench-1", output);
                    samples[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                }

                var alloc = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)calls;
                var cpuPerCall = (CpuTime(runtime.WorkerProcessId) - cpu).TotalMicroseconds / calls;
                Array.Sort(samples);
                rows.Add((runtime.Name, samples[calls / 2], samples[(int)(calls * 0.99)], samples.Average(), alloc, cpuPerCall));
            }
        }

        var node = NodeInProcess(function, calls);
        var baseline = rows[0].Mean;
        System.Console.WriteLine($"{function.Name}: {calls} calls per mode after {Math.Min(calls, 5_000)} warm-up calls; {Environment.ProcessorCount} CPUs; load average {LoadAverage()}");
        var baselineP50 = rows[0].P50;
        var baselineCpu = rows[0].Cpu;
        System.Console.WriteLine("| mode | p50 µs | p99 µs | mean µs | Jint p50 / mode p50 | CPU µs/call (host + worker) | Jint CPU / mode CPU | host allocation B/call |");
        System.Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            System.Console.WriteLine(Invariant($"| {row.Name} | {row.P50:F1} | {row.P99:F1} | {row.Mean:F1} | {baselineP50 / row.P50:F2}x | {row.Cpu:F1} | {baselineCpu / row.Cpu:F2}x | {row.Alloc:F0} |"));
        }

        if (node is { } n)
        {
            System.Console.WriteLine(Invariant($"| Node vm in its own process, no IPC (node-worker.js --bench) | {n.P50:F1} | {n.P99:F1} | {n.Mean:F1} | {baselineP50 / n.P50:F2}x | {n.Cpu:F1} | {baselineCpu / n.Cpu:F2}x | n/a |"));
        }

        return 0;
    }

    /// <summary>CPU time (user + system) of this process and, when given, of a worker process.</summary>
    private static TimeSpan CpuTime(int? worker)
    {
        var total = Process.GetCurrentProcess().TotalProcessorTime;
        if (worker is { } pid)
        {
            using var process = Process.GetProcessById(pid);
            total += process.TotalProcessorTime;
        }

        return total;
    }

    private static (double P50, double P99, double Mean, double Cpu)? NodeInProcess(SampleFunction function, int calls)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(WorkerClient.NodeWorkerScript);
        start.ArgumentList.Add("--bench");
        var script = WorkerClient.WriteShim(function);
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(SampleFunction.MessageText(SampleFunction.Request, "bench-1"));
        start.ArgumentList.Add(calls.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(start);
        if (process is null)
        {
            return null;
        }

        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        File.Delete(script);
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        return (root.GetProperty("p50Us").GetDouble(), root.GetProperty("p99Us").GetDouble(), root.GetProperty("meanUs").GetDouble(), root.GetProperty("cpuUs").GetDouble());
    }

    /// <summary>The 1-minute load average, to print beside figures taken on a shared machine.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
