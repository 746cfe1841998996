using Needle.Functions;
using Needle.Runtime;

namespace Needle.Tests.Infrastructure;

/// <summary>A loaded version that runs nothing, for tests of what serves (no runtime needed); counts its disposals.</summary>
internal sealed class StubFunction(string name, int number, string hash = "h") : ILoadedFunction
{
    private int _disposals;

    public int Disposals => Volatile.Read(ref _disposals);

    public FunctionVersion Version { get; } = new(name, number, "", new FunctionManifest { Name = name }, hash, "t", DateTimeOffset.UnixEpoch, null);

    public ResolvedLimits Limits { get; } = ResolvedLimits.Resolve(null, new FunctionLimits());

    public ValueTask<FunctionResponse> InvokeAsync(FunctionRequest request, InvocationContext context) => ValueTask.FromResult(new FunctionResponse());

    public ValueTask DisposeAsync()
    {
        Interlocked.Increment(ref _disposals);
        return ValueTask.CompletedTask;
    }
}
