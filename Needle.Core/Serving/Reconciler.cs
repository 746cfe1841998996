using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Routing;
using Needle.Runtime;
using Needle.Store;

namespace Needle.Serving;

/// <summary>
/// Makes this node serve what the store says. It reads the serving state, loads the versions not loaded yet
/// (off the request path, and outside the apply gate: see <see cref="ApplyFromStoreAsync"/>), then swaps each
/// function's slot and publishes the routes; versions no release names any more are retired and disposed once
/// drained. One apply at a time.
/// </summary>
internal sealed partial class Reconciler : IAsyncDisposable
{
    private readonly INeedleStore _store;
    private readonly FunctionSecrets _secrets;
    private readonly RuntimeRegistry _runtimes;
    private readonly NeedleEndpointDataSource _dataSource;
    private readonly NeedleOptions _options;
    private readonly ILogger<Reconciler> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, FunctionSlot> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServedVersion> _loaded = new(StringComparer.Ordinal);
    private FrozenDictionary<string, ServedRelease> _current = FrozenDictionary<string, ServedRelease>.Empty;
    private FrozenDictionary<string, string> _loadErrors = FrozenDictionary<string, string>.Empty;
    private readonly SemaphoreSlim _reportGate = new(1, 1);
    private long _appliedRevision = -1;
    private long _reportedRevision = -1;
    private long _storeRevision = -1;

    public Reconciler(
        INeedleStore store,
        RuntimeRegistry runtimes,
        NeedleEndpointDataSource dataSource,
        IOptions<NeedleOptions> options,
        ILogger<Reconciler> logger,
        FunctionSecrets secrets)
    {
        _secrets = secrets;
        _store = store;
        _runtimes = runtimes;
        _dataSource = dataSource;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The revision this node serves, or -1 before the first apply.</summary>
    public long AppliedRevision => Volatile.Read(ref _appliedRevision);

    /// <summary>The latest store revision this node has seen (at its last apply or poll), or -1 before the first.</summary>
    public long StoreRevision => Volatile.Read(ref _storeRevision);

    /// <summary>Records a store revision seen by a poll; only ever moves forward.</summary>
    public void ObserveStoreRevision(long revision)
    {
        var seen = Volatile.Read(ref _storeRevision);
        while (revision > seen)
        {
            var previous = Interlocked.CompareExchange(ref _storeRevision, revision, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    /// <summary>What serves now, by function name.</summary>
    public IReadOnlyDictionary<string, ServedRelease> Current => Volatile.Read(ref _current);

    /// <summary>Versions that failed to load at the last apply (<c>name@number</c> → message); they do not serve.</summary>
    public IReadOnlyDictionary<string, string> LoadErrors => Volatile.Read(ref _loadErrors);

    /// <summary>Whether this node has the version loaded (stable, canary or warm).</summary>
    public bool IsLoaded(string function, int number) => TryGetServed(function, number) is not null;

    /// <summary>
    /// The loaded version, if this node has it (for test invocations). Enter it with <see cref="ServedVersion.TryEnter"/>
    /// before use, so a swap meanwhile cannot dispose it under the caller.
    /// </summary>
    public ServedVersion? TryGetServed(string function, int number) =>
        Current.TryGetValue(function, out var entry) && entry.Loaded.TryGetValue(number, out var served) ? served : null;

    /// <summary>
    /// Applies the store's current state. <paramref name="preloaded"/> are versions the caller already loaded
    /// (a deploy validates by loading); they are used instead of loading again, or disposed if nothing serves them.
    /// </summary>
    public Task<long> ApplyAsync(ILoadedFunction? preloaded = null, CancellationToken cancellationToken = default) =>
        ApplyAsync(preloaded is null ? [] : [preloaded], cancellationToken);

    /// <summary>
    /// Applies the store's current state, loading the versions it names that this node has not loaded yet before
    /// taking the apply gate: a load can take up to its runtime's load limit, and a rollback or kill switch applied
    /// meanwhile must not wait for it. For changes made elsewhere (the poll, the start); a change made here loads first.
    /// </summary>
    public async Task<long> ApplyFromStoreAsync(CancellationToken cancellationToken = default)
    {
        var state = await _store.GetReleaseStateAsync(cancellationToken).ConfigureAwait(false);

        // A change made on this node applies itself with its version loaded: let one in progress finish (it loads
        // nothing under the gate, so this is short) rather than load its version a second time.
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        _gate.Release();
        var current = Current;
        var preloaded = new List<ILoadedFunction>();
        foreach (var version in state.Functions.SelectMany(f => f.Canary is null ? [f.Stable] : new[] { f.Stable, f.Canary }))
        {
            if (current.TryGetValue(version.Function, out var entry) && entry.Loaded.TryGetValue(version.Number, out var served)
                && served.Function.Version.ContentHash == version.ContentHash)
            {
                continue;
            }

            try
            {
                var limits = ResolvedLimits.Resolve(version.Manifest.Limits, _options);
                preloaded.Add(await _runtimes.Get(version.Runtime).LoadAsync(version, limits, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Loaded again under the gate, where the failure is recorded (a load past the limit is refused there at once).
                LogPreloadFailed(_logger, version.Label, ex.Message);
            }
        }

        return await ApplyCoreAsync(preloaded, loadMissing: true, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="ApplyAsync(ILoadedFunction?, CancellationToken)"/>
    /// <remarks>
    /// Loads nothing under the apply gate: a version the store names that is neither loaded nor in
    /// <paramref name="preloadedVersions"/> (a change made elsewhere) is left to the next poll, which loads it outside
    /// the gate; until then its function serves what it served, and this node's applied revision stays behind.
    /// </remarks>
    public Task<long> ApplyAsync(IReadOnlyCollection<ILoadedFunction> preloadedVersions, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(preloadedVersions, loadMissing: false, cancellationToken);

    private async Task<long> ApplyCoreAsync(IReadOnlyCollection<ILoadedFunction> preloadedVersions, bool loadMissing, CancellationToken cancellationToken)
    {
        var preloaded = preloadedVersions.ToList();
        var deferred = false;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await _store.GetReleaseStateAsync(cancellationToken).ConfigureAwait(false);
            var entries = new Dictionary<string, ServedRelease>(StringComparer.Ordinal);
            var keep = new HashSet<string>(StringComparer.Ordinal);
            var errors = new Dictionary<string, string>(StringComparer.Ordinal);
            var previous = Current;
            foreach (var function in state.Functions)
            {
                var name = function.Release.Function;
                if (previous.TryGetValue(name, out var unchanged)
                    && unchanged.Release.Id == function.Release.Id
                    && (function.Canary is null || unchanged.Canary is not null))
                {
                    // Same release row as before and fully loaded: nothing to read or load (this keeps a rollback to one swap).
                    entries[name] = unchanged;
                    keep.UnionWith(unchanged.Loaded.Values.Select(v => v.Function.Version.Label));
                    continue;
                }

                var stable = await GetOrLoadAsync(function.Stable, preloaded, errors, loadMissing, cancellationToken).ConfigureAwait(false);
                deferred |= stable is null && !loadMissing && !errors.ContainsKey(function.Stable.Label);
                if (stable is null)
                {
                    // The release names a version this node cannot load: keep serving what it served before, if anything.
                    if (previous.TryGetValue(name, out var old))
                    {
                        entries[name] = old;
                        keep.UnionWith(old.Loaded.Values.Select(v => v.Function.Version.Label));
                    }

                    continue;
                }

                // A canary that cannot load leaves the function on its stable version; the error is reported.
                var canary = function.Canary is { } canaryVersion
                    ? await GetOrLoadAsync(canaryVersion, preloaded, errors, loadMissing, cancellationToken).ConfigureAwait(false)
                    : null;
                deferred |= function.Canary is not null && canary is null && !loadMissing && !errors.ContainsKey(function.Canary.Label);
                var warm = await LoadWarmAsync(function, loadMissing, cancellationToken).ConfigureAwait(false);
                var entry = new ServedRelease(function.Release, function.Stable.Manifest, stable, canary, warm);
                preloaded.RemoveAll(p => entry.Loaded.Values.Any(v => ReferenceEquals(v.Function, p)));

                keep.UnionWith(entry.Loaded.Values.Select(v => v.Function.Version.Label));
                entries[name] = entry;
            }

            var routes = new List<RouteEntry>(entries.Count);
            foreach (var (name, entry) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                if (!_slots.TryGetValue(name, out var slot))
                {
                    slot = new FunctionSlot(name);
                    _slots[name] = slot;
                }

                slot.Set(entry);
                routes.Add(new RouteEntry(slot, entry.Manifest.Route ?? "/" + name, [.. entry.Manifest.Methods ?? ["GET", "POST"]]));
            }

            foreach (var name in _slots.Keys.Where(n => !entries.ContainsKey(n)).ToList())
            {
                _slots[name].Set(null);
                _slots.Remove(name);
            }

            _dataSource.Update(routes);
            Volatile.Write(ref _current, entries.ToFrozenDictionary(StringComparer.Ordinal));
            Volatile.Write(ref _loadErrors, errors.ToFrozenDictionary(StringComparer.Ordinal));

            foreach (var label in _loaded.Keys.Where(l => !keep.Contains(l)).ToList())
            {
                _loaded[label].Retire();
                _loaded.Remove(label);
            }

            ObserveStoreRevision(state.Revision);
            if (!deferred)
            {
                Volatile.Write(ref _appliedRevision, state.Revision);

                // The node table is for visibility; the change already serves, so the caller does not wait for the write.
                _ = ReportAsync(state.Revision);
            }

            return state.Revision;
        }
        finally
        {
            foreach (var unused in preloaded)
            {
                await unused.DisposeAsync().ConfigureAwait(false);
            }

            _gate.Release();
        }
    }

    /// <summary>
    /// The last few stable versions before the current one (not marked bad) stay loaded, so a rollback is a swap
    /// rather than a load. A warm version that fails to load is only logged: nothing serves it.
    /// </summary>
    private async Task<List<ServedVersion>> LoadWarmAsync(ReleasedFunction function, bool loadMissing, CancellationToken cancellationToken)
    {
        var warm = new List<ServedVersion>();
        var count = _options.Releases.WarmVersions;
        if (count == 0)
        {
            return warm;
        }

        var name = function.Release.Function;
        var history = await _store.ListReleasesAsync(name, 50, cancellationToken).ConfigureAwait(false);
        var bad = (await _store.ListBadVersionsAsync(name, cancellationToken).ConfigureAwait(false)).Select(m => m.Number).ToHashSet();
        var candidates = history
            .Select(r => r.StableVersion)
            .Distinct()
            .Where(n => n != function.Stable.Number && n != function.Canary?.Number && !bad.Contains(n))
            .Take(count);
        foreach (var number in candidates)
        {
            if (_loaded.TryGetValue($"{name}@{number}", out var loaded))
            {
                warm.Add(loaded);
                continue;
            }

            if (!loadMissing)
            {
                continue;
            }

            var version = await _store.GetVersionAsync(name, number, cancellationToken).ConfigureAwait(false);
            var warmErrors = new Dictionary<string, string>(StringComparer.Ordinal);
            if (version is not null && await GetOrLoadAsync(version, null, warmErrors, loadMissing: true, cancellationToken).ConfigureAwait(false) is { } served)
            {
                warm.Add(served);
            }
        }

        return warm;
    }

    private async Task<ServedVersion?> GetOrLoadAsync(
        FunctionVersion version,
        IReadOnlyList<ILoadedFunction>? preloaded,
        Dictionary<string, string> errors,
        bool loadMissing,
        CancellationToken cancellationToken)
    {
        if (_loaded.TryGetValue(version.Label, out var served))
        {
            return served;
        }

        ILoadedFunction function;
        if (preloaded?.FirstOrDefault(p => p.Version.Label == version.Label && p.Version.ContentHash == version.ContentHash) is { } ready)
        {
            function = ready;
        }
        else if (!loadMissing)
        {
            return null;
        }
        else
        {
            try
            {
                var limits = ResolvedLimits.Resolve(version.Manifest.Limits, _options);
                function = await _runtimes.Get(version.Runtime).LoadAsync(version, limits, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                errors[version.Label] = ex.Message;
                LogLoadFailed(_logger, version.Label, ex);
                return null;
            }
        }

        // Secrets are read from configuration as the version loads, once; requests find them beside it.
        _ = _secrets.For(function.Version);
        served = new ServedVersion(function);
        _loaded[version.Label] = served;
        return served;
    }

    private async Task ReportAsync(long revision)
    {
        await _reportGate.WaitAsync().ConfigureAwait(false);
        try
        {
            // Reports may finish out of order; only ever move the recorded revision forward.
            if (revision > _reportedRevision)
            {
                await _store.ReportNodeAsync(_options.NodeId, revision).ConfigureAwait(false);
                _reportedRevision = revision;
            }
        }
        catch (Exception ex)
        {
            // Reporting is for visibility; serving must not depend on it.
            LogReportFailed(_logger, ex);
        }
        finally
        {
            _reportGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var slot in _slots.Values)
            {
                slot.Set(null);
            }

            foreach (var served in _loaded.Values)
            {
                served.Retire();
            }

            _loaded.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Error, Message = "Version {Version} could not be loaded; the function keeps its previous version, if any.")]
    private static partial void LogLoadFailed(ILogger logger, string version, Exception exception);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Could not record this node's revision in the store.")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Version {Version} did not load ahead of the apply: {Reason}")]
    private static partial void LogPreloadFailed(ILogger logger, string version, string reason);
}
