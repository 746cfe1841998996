using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Needle.Functions;
using Needle.Runtime;

namespace Needle.Serving;

/// <summary>
/// The versions this node has loaded, by function and number: loads them (outside any gate: a load can take up to its
/// runtime's load limit), hands them out, and retires those no snapshot names any more (disposed once drained). Reads
/// take no lock; <see cref="AdoptAsync"/> and the retire calls run under the reconciler's apply gate.
/// </summary>
internal sealed partial class VersionCache
{
    private readonly ConcurrentDictionary<(string Function, int Number), ServedVersion> _versions = new();
    private readonly VersionLoader _loader;
    private readonly FunctionSecrets _secrets;
    private readonly ILogger<VersionCache> _logger;

    public VersionCache(VersionLoader loader, FunctionSecrets secrets, ILogger<VersionCache> logger)
    {
        _loader = loader;
        _secrets = secrets;
        _logger = logger;
    }

    /// <summary>The loaded version by function and number, if any.</summary>
    public ServedVersion? Get(string function, int number) => _versions.GetValueOrDefault((function, number));

    /// <summary>The loaded version with exactly this content, if any.</summary>
    public ServedVersion? Get(FunctionVersion version) =>
        Get(version.Name, version.Number) is { } served && served.Function.Version.ContentHash == version.ContentHash ? served : null;

    /// <summary>Loads a version not in the cache yet; a failure is logged and returned as its message, never thrown.</summary>
    public async Task<(ILoadedFunction? Loaded, string? Error)> TryLoadAsync(FunctionVersion version, CancellationToken cancellationToken)
    {
        try
        {
            return (await _loader.LoadAsync(version, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLoadFailed(_logger, version.Label, ex);
            return (null, ex.Message);
        }
    }

    /// <summary>
    /// Takes a loaded version in. When the cache has it already (another apply loaded it meanwhile), the one held wins
    /// and <paramref name="loaded"/> is disposed.
    /// </summary>
    public async ValueTask<ServedVersion> AdoptAsync(ILoadedFunction loaded)
    {
        if (Get(loaded.Version) is { } held)
        {
            if (!ReferenceEquals(held.Function, loaded))
            {
                await loaded.DisposeAsync().ConfigureAwait(false);
            }

            return held;
        }

        // Secrets are read from configuration as the version loads, once; requests find them beside it.
        _ = _secrets.For(loaded.Version);
        var served = new ServedVersion(loaded);
        var key = (loaded.Version.Name, loaded.Version.Number);
        if (_versions.TryGetValue(key, out var replaced))
        {
            replaced.Retire();
        }

        _versions[key] = served;
        return served;
    }

    /// <summary>Retires every version <paramref name="snapshot"/> does not serve or keep warm.</summary>
    public void RetireUnused(ServingSnapshot snapshot)
    {
        foreach (var (key, served) in _versions)
        {
            if (!snapshot.Functions.TryGetValue(key.Function, out var release)
                || !release.Loaded.TryGetValue(key.Number, out var kept)
                || !ReferenceEquals(kept, served))
            {
                _versions.TryRemove(key, out _);
                served.Retire();
            }
        }
    }

    /// <summary>Retires everything (the host stops).</summary>
    public void RetireAll()
    {
        foreach (var key in _versions.Keys)
        {
            if (_versions.TryRemove(key, out var served))
            {
                served.Retire();
            }
        }
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.VersionLoadFailed, Level = LogLevel.Error, Message = "Version {Version} could not be loaded; the function keeps its previous version, if any.")]
    private static partial void LogLoadFailed(ILogger logger, string version, Exception exception);
}
