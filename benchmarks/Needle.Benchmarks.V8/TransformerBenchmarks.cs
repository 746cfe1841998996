using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Needle.Benchmarks.V8;

/// <summary>
/// One transformer call per operation in each mode, Jint in-process the baseline. Short jobs run in this process (the
/// machine is shared; a separate build per job would cost minutes): 3 warm-up and 5 measured iterations.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcess))]
public class TransformerBenchmarks
{
    private readonly PooledBuffer _output = new();
    private ITransformerRuntime _jint = null!;
    private ITransformerRuntime _v8 = null!;
    private ITransformerRuntime _v8Worker = null!;
    private ITransformerRuntime _nodeWorker = null!;

    /// <summary>Builds the four modes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var function = SampleFunction.Transformer();
        _jint = new JintRuntime(function);
        _v8 = new V8Runtime(function, V8Settings.None);
        _v8Worker = WorkerClient.StartV8(Modes.FunctionFile(function), V8Settings.None);
        _nodeWorker = WorkerClient.StartNode(function);
    }

    /// <summary>Stops the workers.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _jint.Dispose();
        _v8.Dispose();
        _v8Worker.Dispose();
        _nodeWorker.Dispose();
    }

    /// <summary>Jint 4.18 in-process (the product's engine).</summary>
    [Benchmark(Baseline = true, Description = "Jint in-process")]
    public int Jint() => _jint.Invoke(SampleFunction.Request, "bench-1", _output);

    /// <summary>ClearScript V8, one reused engine in this process.</summary>
    [Benchmark(Description = "V8 in-process")]
    public int V8InProcess() => _v8.Invoke(SampleFunction.Request, "bench-1", _output);

    /// <summary>ClearScript V8 in a worker process over a Unix domain socket.</summary>
    [Benchmark(Description = "V8 worker (UDS)")]
    public int V8Worker() => _v8Worker.Invoke(SampleFunction.Request, "bench-1", _output);

    /// <summary>Node's vm in a worker process over the same socket protocol.</summary>
    [Benchmark(Description = "Node vm worker (UDS)")]
    public int NodeWorker() => _nodeWorker.Invoke(SampleFunction.Request, "bench-1", _output);

    private sealed class ShortInProcess : ManualConfig
    {
        public ShortInProcess()
        {
            AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(5).WithToolchain(InProcessEmitToolchain.Instance));
        }
    }
}
