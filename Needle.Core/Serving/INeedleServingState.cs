using Needle.Functions;

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

    /// <summary>
    /// Versions that failed to load (<c>name@number</c> → message) for what serves now: released versions that do not
    /// serve, and warm standbys that are not warm (their message starts with <c>warm standby: </c>).
    /// </summary>
    IReadOnlyDictionary<string, string> LoadErrors { get; }

    /// <summary>The functions served now, by name, with their release and the versions loaded for them.</summary>
    /// <returns>A snapshot, ordered by name.</returns>
    IReadOnlyList<ServedFunction> GetFunctions();

    /// <summary>A version this node has loaded (stable, canary or warm standby), with its source and manifest; cheap, no store access.</summary>
    /// <param name="function">The function name.</param>
    /// <param name="number">The version number.</param>
    /// <returns>The version, or <see langword="null"/> when this node has not loaded it.</returns>
    FunctionVersion? FindVersion(string function, int number);

    /// <summary>Reads the store and compares it with what this node serves. Throws when the store cannot be reached.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The store's revision, the applied one, and the released versions this node does not serve.</returns>
    Task<ServingCheck> CheckAsync(CancellationToken cancellationToken = default);
}
