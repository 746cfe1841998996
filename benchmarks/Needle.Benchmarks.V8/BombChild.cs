using System.Diagnostics;
using System.Text;
using Microsoft.ClearScript;

namespace Needle.Benchmarks.V8;

/// <summary>
/// One memory bomb in one mode, in this (child) process, reporting on stdout one event per line:
/// <c>armed</c>, then <c>caught</c>, <c>answered</c> (a worker's 500), <c>completed</c> (nothing stopped it),
/// <c>worker-died</c> and <c>restarted</c>, and what still works afterwards. If V8 ends this process, the parent
/// reads the exit code and V8's last words on stderr.
/// </summary>
internal static class BombChild
{
    /// <summary><c>bomb MODE KIND PROFILE</c>, MODE one of jint, v8, worker.</summary>
    public static int Run(string mode, string kind, string profile)
    {
        var function = SampleFunction.FromSource(kind, Bombs.Sources[kind]);
        var settings = V8Settings.Profiles.GetValueOrDefault(profile, V8Settings.None);
        return mode switch
        {
            "jint" => InProcess(kind, () => new JintRuntime(function, memoryLimitBytes: 128L << 20), runtime => null),
            "v8" => InProcess(kind, () => new V8Runtime(function, settings), runtime => EngineAfter((V8Runtime)runtime)),
            "worker" => InWorker(kind, function, settings),
            _ => throw new ArgumentException($"Unknown mode '{mode}'."),
        };
    }

    private static int InProcess(string kind, Func<ITransformerRuntime> create, Func<ITransformerRuntime, string?> after)
    {
        var runtime = create();
        var output = new PooledBuffer();
        Event("armed");
        var clock = Stopwatch.StartNew();
        var calls = 0;
        try
        {
            for (; calls < Bombs.Calls(kind); calls++)
            {
                var status = runtime.Invoke(SampleFunction.Request, "bomb-1", output);
                if (status != 200)
                {
                    // The function's own promise was rejected (a JavaScript exception such as RangeError).
                    Event($"answered status={status} ms={clock.ElapsedMilliseconds} call={calls + 1} body={Body(output)}");
                    if (after(runtime) is { } report)
                    {
                        Event(report);
                    }

                    break;
                }
            }

            if (calls == Bombs.Calls(kind))
            {
                Event($"completed ms={clock.ElapsedMilliseconds} calls={calls} body={Body(output)}");
            }
        }
        catch (Exception ex)
        {
            Event($"caught ms={clock.ElapsedMilliseconds} call={calls + 1} type={ex.GetType().Name} message={OneLine(ex.Message)}");
            if (after(runtime) is { } report)
            {
                Event(report);
            }
        }

        // Is the host still fit to serve? A fresh engine of the real transformer answers.
        var check = Stopwatch.StartNew();
        using (var fresh = new V8Runtime(SampleFunction.Transformer(), V8Settings.None))
        {
            var status = fresh.Invoke(SampleFunction.Request, "after-1", output);
            Event($"host-serves status={status} ms={check.ElapsedMilliseconds}");
        }

        return 0;
    }

    private static string? EngineAfter(V8Runtime runtime)
    {
        try
        {
            return $"same-engine-after value={runtime.Engine.Evaluate("6 * 7")}";
        }
        catch (Exception ex) when (ex is ScriptEngineException or ScriptInterruptedException or InvalidOperationException)
        {
            return $"same-engine-after failed type={ex.GetType().Name} message={OneLine(ex.Message)}";
        }
    }

    private static int InWorker(string kind, SampleFunction function, V8Settings settings)
    {
        var file = Path.Combine(Path.GetTempPath(), $"needle-v8-bomb-{kind}-{Environment.ProcessId}.js");
        File.WriteAllText(file, function.Source);
        var output = new PooledBuffer();
        var worker = WorkerClient.StartV8(file, settings);
        Event($"worker pid={worker.ProcessId}");
        Event("armed");
        var clock = Stopwatch.StartNew();
        var calls = 0;
        try
        {
            for (; calls < Bombs.Calls(kind); calls++)
            {
                var status = worker.Invoke(SampleFunction.Request, "bomb-1", output);
                if (status != 200)
                {
                    Event($"answered status={status} ms={clock.ElapsedMilliseconds} call={calls + 1} body={Body(output)}");

                    // Does the same worker go on serving? (A replaced engine starts with fresh module state.)
                    var next = Stopwatch.StartNew();
                    var again = worker.Invoke(SampleFunction.Request, "bomb-2", output);
                    Event($"next-call status={again} ms={next.ElapsedMilliseconds} body={Body(output)}");
                    break;
                }
            }

            if (calls == Bombs.Calls(kind))
            {
                Event($"completed ms={clock.ElapsedMilliseconds} calls={calls} body={Body(output)}");
            }

            worker.Dispose();
        }
        catch (WorkerDiedException ex)
        {
            Event($"worker-died ms={clock.ElapsedMilliseconds} call={calls + 1} exit={ex.ExitCode} stderr={LastLine(ex.Stderr)}");
            worker.Dispose();
            var restart = Stopwatch.StartNew();
            using var fresh = WorkerClient.StartV8(Modes.FunctionFile(SampleFunction.Transformer()), settings);
            var status = fresh.Invoke(SampleFunction.Request, "after-1", output);
            Event($"restarted ms={restart.ElapsedMilliseconds} status={status}");
        }
        finally
        {
            File.Delete(file);
        }

        Event("host-serves status=200 (the host process is this one)");
        return 0;
    }

    private static void Event(string line)
    {
        System.Console.Out.WriteLine(line);
        System.Console.Out.Flush();
    }

    private static string Body(PooledBuffer output) => OneLine(Encoding.UTF8.GetString(output.WrittenSpan));

    private static string LastLine(string text) =>
        OneLine(text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.Length > 0 && l != "#") ?? "");

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length > 160 ? line[..160] + "…" : line;
    }
}
