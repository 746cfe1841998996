using Needle.Store;

namespace Needle.Observability.Health;

/// <summary>Every function over all live nodes (<c>GET /health?scope=cluster</c>).</summary>
/// <param name="At">When the figures were read.</param>
/// <param name="NodeId">The node that answered (its own counts are live, the others' as of <paramref name="ReadAt"/>).</param>
/// <param name="ReadAt">When the other nodes' publications were last read from the store; <see langword="null"/> before the first read.</param>
/// <param name="Nodes">The live nodes counted (those that published within Needle's <c>NodeGoneAfter</c>), with their last publication.</param>
/// <param name="Windows">The window names, shortest first.</param>
/// <param name="Functions">One entry per function, by name; the stable and canary are the ones this node serves, the last error this node's.</param>
public sealed record ClusterHealthSummary(
    DateTimeOffset At,
    string NodeId,
    DateTimeOffset? ReadAt,
    IReadOnlyList<HealthNodeRecord> Nodes,
    IReadOnlyList<string> Windows,
    IReadOnlyList<FunctionHealth> Functions)
{
    /// <summary>Always <c>cluster</c>, so a reader tells it from a node's summary.</summary>
    public string Scope => "cluster";
}
