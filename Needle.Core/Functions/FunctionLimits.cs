namespace Needle.Functions;

/// <summary>
/// Per-invocation limits of a function. In a manifest every member is optional and a missing one takes
/// the host default (<c>NeedleOptions.DefaultLimits</c>).
/// </summary>
public sealed class FunctionLimits
{
    /// <summary>The host default of <see cref="MaxFetchesInFlight"/>.</summary>
    public const int DefaultMaxFetchesInFlight = 32;

    /// <summary>Wall-clock time one invocation may take, in milliseconds, awaited downstream calls included. Host default: 5,000.</summary>
    public int? TimeoutMs { get; set; }

    /// <summary>Memory one JavaScript invocation may allocate, in megabytes. Host default: 64.</summary>
    public int? MemoryMb { get; set; }

    /// <summary>JavaScript statements one invocation may execute. Host default: 10,000,000.</summary>
    public int? MaxStatements { get; set; }

    /// <summary>JavaScript call depth. Host default: 256.</summary>
    public int? MaxRecursionDepth { get; set; }

    /// <summary>Invocations of one version that may run at once on this node (the engine pool's size). Host default: 64.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Largest request body accepted, in kilobytes; a larger one is answered with 413. Host default: 1,024.</summary>
    public int? MaxRequestBodyKb { get; set; }

    /// <summary>Largest downstream response body <c>ctx.fetch</c> reads, in kilobytes. Host default: 4,096.</summary>
    public int? MaxFetchResponseKb { get; set; }

    /// <summary>
    /// Largest response body a function may send, in kilobytes; a larger one fails the call as an invalid response (500).
    /// For JavaScript it bounds the JSON the host writes from a returned value. Host default: 8,192.
    /// </summary>
    public int? MaxResponseKb { get; set; }

    /// <summary>
    /// Downstream calls (<c>ctx.fetch</c>, <c>context.FetchAsync</c>) one invocation may have in flight at once; one
    /// more fails at once with an error naming this limit. Whatever is still in flight when the invocation ends is
    /// cancelled. Host default: 32; a manifest may ask for at most <c>NeedleOptions.MaxLimits.MaxFetchesInFlight</c> (256).
    /// </summary>
    public int? MaxFetchesInFlight { get; set; }

    /// <summary>
    /// Log lines one invocation may write; later lines are dropped and one line at the end says how many. Host default: 200.
    /// </summary>
    public int? MaxLogLines { get; set; }

    /// <summary>Log text one invocation may write, in kilobytes (UTF-8); past it lines are dropped the same way. Host default: 256.</summary>
    public int? MaxLogKb { get; set; }
}
