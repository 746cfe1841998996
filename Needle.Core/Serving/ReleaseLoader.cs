using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Runtime;
using Needle.Store;

namespace Needle.Serving;

/// <summary>
/// Gets a release ready to serve before the reconciler takes its apply gate: loads the versions it names that this
/// node has not loaded, and finds (and loads) its warm standbys, the last few stable versions not marked bad, so a
/// rollback is a swap rather than a load. Reads the store and loads; holds no gate.
/// </summary>
internal sealed class ReleaseLoader
{
    private const int WarmHistoryDepth = 50;
    private readonly INeedleStore _store;
    private readonly VersionCache _versions;
    private readonly int _warmCount;

    public ReleaseLoader(INeedleStore store, VersionCache versions, IOptions<NeedleOptions> options)
    {
        _store = store;
        _versions = versions;
        _warmCount = options.Value.Releases.WarmVersions;
    }

    /// <summary>
    /// Loads (when <paramref name="loadMissing"/>) the function's versions not loaded yet and not in
    /// <paramref name="loaded"/>, and its warm standbys; returns the standbys' numbers. No gate is held here.
    /// </summary>
    public async Task<IReadOnlyList<int>> PrepareAsync(ReleasedFunction function, bool loadMissing, List<ILoadedFunction> loaded, Dictionary<string, string> errors, CancellationToken cancellationToken)
    {
        var name = function.Release.Function;
        if (loadMissing)
        {
            foreach (var version in function.Canary is null ? [function.Stable] : new[] { function.Stable, function.Canary })
            {
                await LoadIfMissingAsync(version, loaded, errors, null, cancellationToken).ConfigureAwait(false);
            }
        }

        // The last few stable versions before this one (not marked bad) stay loaded, so a rollback is a swap, not a load.
        if (_warmCount == 0)
        {
            return [];
        }

        var history = await _store.ListReleasesAsync(name, WarmHistoryDepth, cancellationToken).ConfigureAwait(false);
        var bad = (await _store.ListBadVersionsAsync(name, cancellationToken).ConfigureAwait(false)).Select(m => m.Number).ToHashSet();
        var warm = history
            .Select(r => r.StableVersion)
            .Distinct()
            .Where(n => n != function.Stable.Number && n != function.Canary?.Number && !bad.Contains(n))
            .Take(_warmCount)
            .ToList();
        if (loadMissing)
        {
            foreach (var number in warm.Where(n => _versions.Get(name, n) is null))
            {
                if (await _store.GetVersionAsync(name, number, cancellationToken).ConfigureAwait(false) is { } version)
                {
                    await LoadIfMissingAsync(version, loaded, errors, "warm standby: ", cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return warm;
    }

    private async Task LoadIfMissingAsync(FunctionVersion version, List<ILoadedFunction> loaded, Dictionary<string, string> errors, string? errorPrefix, CancellationToken cancellationToken)
    {
        if (_versions.Get(version) is not null || loaded.Exists(l => IsSame(l.Version, version)))
        {
            return;
        }

        var (function, error) = await _versions.TryLoadAsync(version, cancellationToken).ConfigureAwait(false);
        if (function is not null)
        {
            loaded.Add(function);
        }
        else
        {
            errors[version.Label] = errorPrefix + error;
        }
    }

    /// <summary>The version by number: from <paramref name="loaded"/>, the cache, or else the store.</summary>
    public async Task<FunctionVersion> VersionOfAsync(string name, int number, List<ILoadedFunction> loaded, CancellationToken cancellationToken) =>
        loaded.Find(l => l.Version.Name == name && l.Version.Number == number)?.Version
        ?? _versions.Get(name, number)?.Function.Version
        ?? await _store.GetVersionAsync(name, number, cancellationToken).ConfigureAwait(false)
        ?? throw new NeedleNotFoundException($"Function '{name}' has no version {number}.");

    private static bool IsSame(FunctionVersion a, FunctionVersion b) =>
        a.Name == b.Name && a.Number == b.Number && a.ContentHash == b.ContentHash;
}
