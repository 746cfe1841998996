using System.Text;
using Needle.Benchmarks.V8;

// The V8 road of issue #18 (docs/design/v8-runtime.md). Not in Needle.sln; run from the repository root:
//   dotnet run -c Release --project benchmarks/Needle.Benchmarks.V8 -- COMMAND
// Commands: verify [function] | bench [BenchmarkDotNet args] | latency [calls] [function] | restart [count] | bombs [filter] | worker ... | bomb ...
var command = args.Length > 0 ? args[0] : "verify";
switch (command)
{
    case "worker":
        return WorkerServer.Run(args[1], args[2], V8Settings.Parse(args[3]));
    case "bomb":
        return BombChild.Run(args[1], args[2], args[3]);
    case "bombs":
        return BombRun.Run(args.Length > 1 ? args[1] : "");
    case "verify":
        return Verify.Run(SampleFunction.Named(args.Length > 1 ? args[1] : "transformer"));
    case "bench":
        BenchmarkDotNet.Running.BenchmarkRunner.Run<TransformerBenchmarks>(args: args[1..]);
        return 0;
    case "latency":
        {
            var function = SampleFunction.Named(args.Length > 2 ? args[2] : "transformer");
            return Verify.Run(function) == 0 ? LatencyRun.Run(function, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000) : 1;
        }
    case "restart":
        return RestartRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
    default:
        System.Console.Error.WriteLine($"Unknown command '{command}'.");
        return 2;
}

/// <summary>Checks that every mode gives the same status and the same body bytes for the sample request.</summary>
internal static class Verify
{
    public static int Run(SampleFunction function)
    {
        var output = new PooledBuffer();
        string? expected = null;
        var failed = false;
        foreach (var runtime in Modes.All(function))
        {
            using (runtime)
            {
                var status = runtime.Invoke(SampleFunction.Request, "bench-1", output);
                var body = Encoding.UTF8.GetString(output.WrittenSpan);
                expected ??= body;
                var same = body == expected && status == 200;
                failed |= !same;
                System.Console.WriteLine($"{runtime.Name,-24} {status} {output.WrittenSpan.Length,6} B {(same ? "same" : "DIFFERENT: " + body[..Math.Min(200, body.Length)])}");
            }
        }

        System.Console.WriteLine(expected?[..Math.Min(160, expected.Length)]);
        return failed ? 1 : 0;
    }
}

/// <summary>The four modes, built for one function.</summary>
internal static class Modes
{
    public static IEnumerable<ITransformerRuntime> All(SampleFunction function)
    {
        yield return new JintRuntime(function);
        yield return new V8Runtime(function, V8Settings.None);
        yield return WorkerClient.StartV8(FunctionFile(function), V8Settings.None);
        yield return WorkerClient.StartNode(function);
    }

    /// <summary>The function's file (what the V8 worker loads).</summary>
    public static string FunctionFile(SampleFunction function) =>
        function.File ?? throw new InvalidOperationException($"{function.Name} was not loaded from a file.");
}
