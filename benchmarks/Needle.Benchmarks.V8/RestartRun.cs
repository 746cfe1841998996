using System.Diagnostics;
using System.Globalization;

namespace Needle.Benchmarks.V8;

/// <summary>
/// What a fresh runtime costs before it answers: a worker process started, ready, connected and its first call answered
/// (what the host pays to replace a worker that died); beside it an in-process engine created and its first call.
/// </summary>
internal static class RestartRun
{
    public static int Run(int count)
    {
        var function = SampleFunction.Transformer();
        var output = new PooledBuffer();
        var file = Modes.FunctionFile(function);
        var modes = new (string Name, Func<ITransformerRuntime> Create)[]
        {
            ("Jint engine created in-process", () => new JintRuntime(function)),
            ("V8 engine created in-process", () => new V8Runtime(function, V8Settings.None)),
            ("V8 worker process started", () => WorkerClient.StartV8(file, V8Settings.None)),
            ("Node vm worker process started", () => WorkerClient.StartNode(function)),
        };

        System.Console.WriteLine($"{count} fresh runtimes per mode; {Environment.ProcessorCount} CPUs; load average {LatencyRun.LoadAverage()}");
        System.Console.WriteLine("| mode | ready, median ms | ready + first call, median ms | p90 ms | max ms |");
        System.Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (name, create) in modes)
        {
            var ready = new double[count];
            var total = new double[count];
            for (var i = 0; i < count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var runtime = create();
                ready[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                runtime.Invoke(SampleFunction.Request, "bench-1", output);
                total[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(ready);
            Array.Sort(total);
            System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {ready[count / 2]:F1} | {total[count / 2]:F1} | {total[(int)(count * 0.9)]:F1} | {total[^1]:F1} |"));
        }

        return 0;
    }
}
