namespace Needle.Serving;

/// <summary>The outcome of <see cref="INeedleServingState.CheckAsync"/>.</summary>
/// <param name="StoreRevision">The store's revision now.</param>
/// <param name="AppliedRevision">The revision this node serves.</param>
/// <param name="NotServed">Released versions (<c>name@number</c>, stable or canary) this node does not serve.</param>
/// <param name="LoadErrors">Versions that failed to load for what serves now, with the error (see <see cref="INeedleServingState.LoadErrors"/>).</param>
/// <param name="ListenerProblem">
/// Why this node's PostgreSQL change listener cannot be relied on (it did not hear its own probe notification, as
/// behind PgBouncer in transaction mode), or <see langword="null"/> when it hears it or the store is not PostgreSQL.
/// </param>
public sealed record ServingCheck(long StoreRevision, long AppliedRevision, IReadOnlyList<string> NotServed, IReadOnlyDictionary<string, string> LoadErrors, string? ListenerProblem = null)
{
    /// <summary>Whether the node serves an older revision than the store's.</summary>
    public bool IsBehind => AppliedRevision < StoreRevision;

    /// <summary>
    /// When another process writes this node's heartbeat row too (one <c>Needle:NodeId</c> for two processes), that
    /// process's instance id; null otherwise. Give each process its own node id.
    /// </summary>
    public string? NodeIdConflict { get; init; }
}
