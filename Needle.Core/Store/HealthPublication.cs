namespace Needle.Store;

/// <summary>One node's publication of its health counts (<see cref="INeedleStore.PublishHealthAsync"/>).</summary>
/// <param name="NodeId">The publishing node.</param>
/// <param name="At">When it published: the node counts as live until its publications grow older than the reader's freshness bound.</param>
/// <param name="Windows">The slices counted since its last publication (empty when it served nothing: it still says it is live).</param>
/// <param name="PruneBefore">Slices of any node that ended before this, and nodes that last published before it, are deleted.</param>
public sealed record HealthPublication(string NodeId, DateTimeOffset At, IReadOnlyList<HealthWindowRecord> Windows, DateTimeOffset PruneBefore);
