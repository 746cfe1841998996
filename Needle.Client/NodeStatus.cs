namespace Needle.Client;

/// <summary>A node of the cluster and the revision it serves (<c>GET /nodes</c>).</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Revision">The store revision it has applied.</param>
/// <param name="UpdatedAt">When it last reported.</param>
public sealed record NodeStatus(string NodeId, long Revision, DateTimeOffset UpdatedAt);
