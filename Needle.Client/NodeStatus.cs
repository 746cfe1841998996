namespace Needle.Client;

/// <summary>A node of the cluster: the revision it serves, its heartbeat, and what it serves (<c>GET /nodes</c>).</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Revision">The store revision it has applied.</param>
/// <param name="UpdatedAt">Its last heartbeat (or applied revision), by its own clock.</param>
/// <param name="HeartbeatAgeSeconds">How long ago that was, by the answering node's clock.</param>
/// <param name="Live">Whether it beat recently enough to count; a node that is not live is gone and left out of convergence.</param>
/// <param name="State"><c>live</c> or <c>gone</c>.</param>
/// <param name="Functions">The versions it serves of each function; empty from a host without heartbeats.</param>
public sealed record NodeStatus(
    string NodeId,
    long Revision,
    DateTimeOffset UpdatedAt,
    double HeartbeatAgeSeconds = 0,
    bool Live = true,
    string State = "live",
    IReadOnlyList<NodeFunctionStatus>? Functions = null);
