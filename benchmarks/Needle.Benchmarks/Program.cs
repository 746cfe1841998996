// Micro-benchmarks of Needle's hot path: dotnet run -c Release --project benchmarks/Needle.Benchmarks -- --filter '*'
// The transformer at full load, in process against through HTTP: ... -- transformer-throughput [rounds] [seconds]
// What a JavaScript call allocates, by type: ... -- allocations [stage] [calls]
using BenchmarkDotNet.Running;
using Needle.Benchmarks.JavaScript;

if (args is ["transformer-throughput", ..])
{
    return await TransformerThroughput.RunAsync(args);
}

if (args is ["allocations", ..])
{
    return await AllocationsByType.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
