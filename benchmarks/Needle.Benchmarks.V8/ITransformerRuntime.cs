namespace Needle.Benchmarks.V8;

/// <summary>One way of running a function: takes the request, writes the response body (UTF-8 JSON), returns the status.</summary>
internal interface ITransformerRuntime : IDisposable
{
    /// <summary>The mode's name in the tables.</summary>
    string Name { get; }

    /// <summary>The worker process serving the calls, if any (its CPU time counts with the host's).</summary>
    int? WorkerProcessId => null;

    /// <summary>Runs one call. <paramref name="output"/> is cleared first and holds the body afterwards.</summary>
    int Invoke(SampleRequest request, string requestId, PooledBuffer output);
}
