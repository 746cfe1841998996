using System.Collections.Frozen;
using Needle.Functions;
using Needle.Store;

namespace Needle.Serving;

/// <summary>
/// Builds the next <see cref="ServingSnapshot"/> from what the store releases and the versions this node has loaded.
/// Pure: it reads nothing and loads nothing (the reconciler has loaded what is needed before), so it runs under the
/// apply gate in microseconds and is tested without a host.
/// </summary>
internal static class ServingSnapshotBuilder
{
    /// <summary>
    /// The whole store state. A function whose release row is unchanged keeps its entry as it is (a rollback to a warm
    /// version stays one swap); one whose stable version is not loaded keeps what it served before, if anything.
    /// </summary>
    /// <param name="previous">What serves now.</param>
    /// <param name="state">What the store releases.</param>
    /// <param name="loaded">The loaded version of a function by number, if any.</param>
    /// <param name="warm">By function, the numbers of the warm standbys to keep (those loaded are kept).</param>
    /// <param name="errors">The load failures of this apply (<c>name@number</c> → message); a function kept as it was keeps its earlier ones.</param>
    public static ServingSnapshot Build(
        ServingSnapshot previous,
        ReleaseState state,
        Func<string, int, ServedVersion?> loaded,
        IReadOnlyDictionary<string, IReadOnlyList<int>> warm,
        IReadOnlyDictionary<string, string> errors)
    {
        var functions = new Dictionary<string, ServedRelease>(StringComparer.Ordinal);
        var allErrors = new Dictionary<string, string>(errors, StringComparer.Ordinal);
        var complete = true;
        foreach (var function in state.Functions)
        {
            var name = function.Release.Function;
            previous.Functions.TryGetValue(name, out var old);
            if (old is not null && IsApplied(old, function))
            {
                // Kept as it is, with the load errors it had (a warm standby that failed is not tried again here).
                functions[name] = old;
                foreach (var (label, message) in previous.LoadErrors.Where(e => e.Key.StartsWith(name + VersionKey.Separator, StringComparison.Ordinal)))
                {
                    allErrors.TryAdd(label, message);
                }

                continue;
            }

            if ((Entry(function, loaded, warm.GetValueOrDefault(name) ?? [], errors, ref complete) ?? old) is { } entry)
            {
                functions[name] = entry;
            }
        }

        return new ServingSnapshot(
            complete ? state.Revision : previous.Revision,
            Math.Max(previous.LatestChange, state.Revision),
            functions.ToFrozenDictionary(StringComparer.Ordinal),
            allErrors.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// One function changed by a change made on this node at <paramref name="revision"/>: the others keep their entries
    /// and load errors. The node's <see cref="ServingSnapshot.Revision"/> moves to <paramref name="revision"/> only when
    /// it served the one before (no change made elsewhere is skipped) and the function's versions were all at hand.
    /// </summary>
    /// <param name="previous">What serves now.</param>
    /// <param name="name">The function.</param>
    /// <param name="function">Its release and versions now, or <see langword="null"/> when it was deleted.</param>
    /// <param name="revision">The revision the change produced.</param>
    /// <param name="loaded">The loaded version of a function by number, if any.</param>
    /// <param name="warm">The numbers of the function's warm standbys to keep (those loaded are kept).</param>
    /// <param name="errors">The function's load failures in this change.</param>
    public static ServingSnapshot WithFunction(
        ServingSnapshot previous,
        string name,
        ReleasedFunction? function,
        long revision,
        Func<string, int, ServedVersion?> loaded,
        IReadOnlyList<int> warm,
        IReadOnlyDictionary<string, string> errors)
    {
        previous.Functions.TryGetValue(name, out var old);
        if (function is not null && old is not null && (old.Release.Id > function.Release.Id || IsApplied(old, function)))
        {
            // A newer change of this function (or this one) is applied already.
            return previous;
        }

        var functions = new Dictionary<string, ServedRelease>(previous.Functions, StringComparer.Ordinal);
        var complete = true;
        functions.Remove(name);
        if (function is not null && (Entry(function, loaded, warm, errors, ref complete) ?? old) is { } entry)
        {
            functions[name] = entry;
        }

        var prefix = name + VersionKey.Separator;
        var allErrors = previous.LoadErrors
            .Where(e => !e.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Concat(errors)
            .ToFrozenDictionary(StringComparer.Ordinal);
        return new ServingSnapshot(
            complete && previous.Revision == revision - 1 ? revision : previous.Revision,
            Math.Max(previous.LatestChange, revision),
            functions.ToFrozenDictionary(StringComparer.Ordinal),
            allErrors);
    }

    /// <summary>Whether <paramref name="entry"/> serves the same release row as <paramref name="function"/>, with every version it names loaded.</summary>
    public static bool IsApplied(ServedRelease entry, ReleasedFunction function) =>
        entry.Release.Id == function.Release.Id && (function.Canary is null || entry.Canary is not null);

    // Null when the stable version is not loaded. A version that is neither loaded nor failed leaves the apply incomplete.
    private static ServedRelease? Entry(
        ReleasedFunction function,
        Func<string, int, ServedVersion?> loaded,
        IReadOnlyList<int> warm,
        IReadOnlyDictionary<string, string> errors,
        ref bool complete)
    {
        var name = function.Release.Function;
        var stable = Find(function.Stable, loaded);
        if (stable is null)
        {
            complete &= errors.ContainsKey(function.Stable.Label);
            return null;
        }

        // A canary that cannot load leaves the function on its stable version; the error is reported.
        ServedVersion? canary = null;
        if (function.Canary is { } canaryVersion)
        {
            canary = Find(canaryVersion, loaded);
            complete &= canary is not null || errors.ContainsKey(canaryVersion.Label);
        }

        var standbys = warm.Select(n => loaded(name, n)).OfType<ServedVersion>();
        return new ServedRelease(function.Release, function.Stable.Manifest, stable, canary, standbys);
    }

    private static ServedVersion? Find(Functions.FunctionVersion version, Func<string, int, ServedVersion?> loaded) =>
        loaded(version.Name, version.Number) is { } served && served.Function.Version.ContentHash == version.ContentHash ? served : null;
}
