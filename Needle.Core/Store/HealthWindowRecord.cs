namespace Needle.Store;

/// <summary>
/// What one node counted for one function version over one slice of time, as it published it for the cluster's
/// health (<see cref="INeedleStore.PublishHealthAsync"/>).
/// </summary>
/// <param name="NodeId">The node that counted.</param>
/// <param name="Function">The function name.</param>
/// <param name="Version">The version number.</param>
/// <param name="From">Start of the slice (inclusive), on the publishing node's clock.</param>
/// <param name="To">End of the slice (exclusive); a node publishes at most one slice per version ending at one time.</param>
/// <param name="Requests">Invocations in the slice, cold starts included.</param>
/// <param name="Errors">Failed invocations in the slice.</param>
/// <param name="ColdStarts">Invocations that were cold starts.</param>
/// <param name="Latency">
/// The warm invocations' latency histogram in the publisher's own compact text (Needle.Observability: sparse
/// <c>bucket:count</c> pairs); the store keeps it as given.
/// </param>
public sealed record HealthWindowRecord(
    string NodeId,
    string Function,
    int Version,
    DateTimeOffset From,
    DateTimeOffset To,
    long Requests,
    long Errors,
    long ColdStarts,
    string Latency);
