namespace Needle.Runtime.JavaScript;

/// <summary>Host-wide bounds of the JavaScript runtime, set through <c>NeedleOptions.JavaScript</c>.</summary>
public sealed class JavaScriptRuntimeOptions
{
    /// <summary>
    /// The most memory all JavaScript engines of this host may hold together, in megabytes (0: no ceiling). Past it,
    /// idle engines are dropped, an engine coming back from a call is recycled, and a call that needs a new engine is
    /// answered 503 until engines free up. What an engine holds is estimated from above by what it has allocated.
    /// Default: 1,024.
    /// </summary>
    public int MemoryCeilingMb { get; set; } = 1_024;

    /// <summary>
    /// Calls one engine serves before it is recycled (its module state dropped, a new engine built on the next call);
    /// 0 for no limit. Default: 10,000.
    /// </summary>
    public int MaxCallsPerEngine { get; set; } = 10_000;
}
