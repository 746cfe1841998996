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
