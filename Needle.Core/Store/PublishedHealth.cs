namespace Needle.Store;

/// <summary>The live nodes' published health counts (<see cref="INeedleStore.ReadHealthAsync"/>).</summary>
/// <param name="Nodes">Each live node with when it last published, by node id.</param>
/// <param name="Windows">Their slices in the range asked for, by node, function, version and end.</param>
public sealed record PublishedHealth(IReadOnlyList<HealthNodeRecord> Nodes, IReadOnlyList<HealthWindowRecord> Windows)
{
    /// <summary>Nothing published.</summary>
    public static PublishedHealth Empty { get; } = new([], []);
}
