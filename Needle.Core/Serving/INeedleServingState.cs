namespace Needle.Serving;

/// <summary>
/// What this node serves, for health checks, gauges and consoles: read-only, and cheap except for
/// <see cref="CheckAsync"/>, which asks the store.
/// </summary>
public interface INeedleServingState
{
    /// <summary>The node id (<c>NeedleOptions.NodeId</c>).</summary>
    string NodeId { get; }

    /// <summary>The store revision this node serves, or -1 before the first apply.</summary>
    long AppliedRevision { get; }

    /// <summary>The latest store revision this node has seen at its last apply or poll, or -1 before the first.</summary>
    long StoreRevision { get; }

    /// <summary>Versions that failed to load at the last apply (<c>name@number</c> → message); they do not serve.</summary>
    IReadOnlyDictionary<string, string> LoadErrors { get; }

    /// <summary>The functions served now, by name, with their release and the versions loaded for them.</summary>
    /// <returns>A snapshot, ordered by name.</returns>
    IReadOnlyList<ServedFunction> GetFunctions();

    /// <summary>Reads the store and compares it with what this node serves. Throws when the store cannot be reached.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The store's revision, the applied one, and the released versions this node does not serve.</returns>
    Task<ServingCheck> CheckAsync(CancellationToken cancellationToken = default);
}
