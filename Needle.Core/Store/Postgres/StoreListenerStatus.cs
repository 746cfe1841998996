namespace Needle.Store.Postgres;

/// <summary>
/// What this node's change listener last found out about itself, for the health check: null while it hears its own
/// probe notification (or has not been able to tell yet), else the problem in a sentence. Written by the listener,
/// read by <c>ServingStateView</c>; one reference, no lock.
/// </summary>
internal sealed class StoreListenerStatus
{
    private volatile string? _problem;

    /// <summary>Why the listener cannot be relied on, or null.</summary>
    public string? Problem => _problem;

    public void Report(string? problem) => _problem = problem;
}
