using System.Collections.Frozen;

namespace Needle.Serving;

/// <summary>
/// What this node serves, as one immutable whole: the functions with their loaded versions, the versions that failed
/// to load, and the revisions. The reconciler builds a new one off to the side and swaps one reference, so a reader
/// never sees the functions of one apply beside the load errors or revision of another.
/// </summary>
internal sealed class ServingSnapshot
{
    public ServingSnapshot(
        long revision,
        long latestChange,
        FrozenDictionary<string, ServedRelease> functions,
        FrozenDictionary<string, string> loadErrors)
    {
        Revision = revision;
        LatestChange = latestChange;
        Functions = functions;
        LoadErrors = loadErrors;
    }

    /// <summary>Before the first apply: nothing serves, revision -1.</summary>
    public static ServingSnapshot Empty { get; } = new(
        -1,
        -1,
        FrozenDictionary<string, ServedRelease>.Empty,
        FrozenDictionary<string, string>.Empty);

    /// <summary>
    /// The store revision this node serves: every change up to it is applied here. Stays behind when a change named a
    /// version this node has not loaded yet (the next poll loads it), or when a change made here skipped one made elsewhere.
    /// </summary>
    public long Revision { get; }

    /// <summary>The highest revision of any change applied here, whole or for one function; never below <see cref="Revision"/>.</summary>
    public long LatestChange { get; }

    /// <summary>What serves, by function name.</summary>
    public FrozenDictionary<string, ServedRelease> Functions { get; }

    /// <summary>Versions that failed to load (<c>name@number</c> → message): released versions that do not serve, and warm standbys that are not warm.</summary>
    public FrozenDictionary<string, string> LoadErrors { get; }

    /// <summary>The loaded version of a function, if this node has it (stable, canary or warm).</summary>
    public ServedVersion? Find(string function, int number) =>
        Functions.TryGetValue(function, out var release) && release.Loaded.TryGetValue(number, out var served) ? served : null;
}
