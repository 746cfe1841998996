// Micro-benchmarks of Needle's hot path: dotnet run -c Release --project benchmarks/Needle.Benchmarks -- --filter '*'
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
