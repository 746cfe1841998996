namespace Needle.Store.Postgres;

/// <summary>
/// What this node's change listener last found out about itself, for the health check: null while it hears its own
/// probe notification (or has not been able to tell yet), else the problem in a sentence. Only a judged probe changes
/// it: one heard clears it, one sent and not heard within the keepalive sets it. While a probe cannot be sent (the
/// store's side down or refusing; the listener sends it again with back-off) it stays as it was: null on the first
/// connection, which says "no problem known", not "heard"; after a reconnect, the previous connection's verdict.
/// Written by the listener, read by <c>ServingStateView</c>; one reference, no lock.
/// </summary>
internal sealed class StoreListenerStatus
{
    private volatile string? _problem;

    /// <summary>Why the listener cannot be relied on, or null.</summary>
    public string? Problem => _problem;

    public void Report(string? problem) => _problem = problem;
}
