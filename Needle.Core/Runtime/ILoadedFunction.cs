using Needle.Functions;

namespace Needle.Runtime;

/// <summary>A prepared version, ready to be invoked by many requests at once (up to its concurrency limit).</summary>
internal interface ILoadedFunction : IAsyncDisposable
{
    /// <summary>The version it runs.</summary>
    FunctionVersion Version { get; }

    /// <summary>The limits in force.</summary>
    ResolvedLimits Limits { get; }

    /// <summary>What preparing the version warned about (C# compiler warnings), in source order. Default: none.</summary>
    IReadOnlyList<FunctionDiagnostic> Warnings => [];

    /// <summary>
    /// Runs the handler once. Never blocks a thread while the function awaits downstream calls. Throws
    /// <see cref="FunctionInvocationException"/> on every failure; a failure never affects later invocations.
    /// The invocation is bounded by <see cref="InvocationContext.CancellationToken"/> (which the caller sets to fire at the timeout).
    /// A value task: a call that completes without waiting (most do) allocates no task. Await it once.
    /// </summary>
    ValueTask<FunctionResponse> InvokeAsync(FunctionRequest request, InvocationContext context);

    /// <summary>
    /// Called once when an invocation was answered at its limit while its work still ran (see
    /// <see cref="InvocationContext.TryAbandon"/>): the runtime counts and logs it.
    /// </summary>
    void OnAbandoned(InvocationContext context)
    {
    }
}
