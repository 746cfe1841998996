namespace Needle.Nodes;

/// <summary>One node of the cluster as the node table shows it now (<c>GET /nodes</c>).</summary>
/// <param name="NodeId">The node's id (<c>NeedleOptions.NodeId</c>).</param>
/// <param name="Revision">The store revision it serves.</param>
/// <param name="UpdatedAt">Its last heartbeat (or applied revision), by its own clock.</param>
/// <param name="HeartbeatAgeSeconds">How long ago that was, by the clock of the node that answers; never negative.</param>
/// <param name="Live">
/// Whether it beat within <c>NeedleOptions.NodeGoneAfter</c>. A node that is not live is gone: left out of
/// convergence, and live again at its next heartbeat.
/// </param>
/// <param name="Functions">The versions it serves of each function, ordered by name.</param>
public sealed record NeedleNode(string NodeId, long Revision, DateTimeOffset UpdatedAt, double HeartbeatAgeSeconds, bool Live, IReadOnlyList<NodeFunction> Functions)
{
    /// <summary><c>live</c> or <c>gone</c> (see <see cref="Live"/>).</summary>
    public string State => Live ? "live" : "gone";
}
