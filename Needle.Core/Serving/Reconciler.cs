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
/// (off the request path), then swaps each function's slot and publishes the routes; versions no release names
/// any more are retired and disposed once drained. One apply at a time.
/// </summary>
internal sealed partial class Reconciler : IAsyncDisposable
{
    private readonly INeedleStore _store;
    private readonly RuntimeRegistry _runtimes;
    private readonly NeedleEndpointDataSource _dataSource;
    private readonly NeedleOptions _options;
    private readonly ILogger<Reconciler> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, FunctionSlot> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServedVersion> _loaded = new(StringComparer.Ordinal);
    private FrozenDictionary<string, ServingEntry> _current = FrozenDictionary<string, ServingEntry>.Empty;
    private FrozenDictionary<string, string> _loadErrors = FrozenDictionary<string, string>.Empty;
    private long _appliedRevision = -1;

    public Reconciler(
        INeedleStore store,
        RuntimeRegistry runtimes,
        NeedleEndpointDataSource dataSource,
        IOptions<NeedleOptions> options,
        ILogger<Reconciler> logger)
    {
        _store = store;
        _runtimes = runtimes;
        _dataSource = dataSource;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The revision this node serves, or -1 before the first apply.</summary>
    public long AppliedRevision => Volatile.Read(ref _appliedRevision);

    /// <summary>What serves now, by function name.</summary>
    public IReadOnlyDictionary<string, ServingEntry> Current => Volatile.Read(ref _current);

    /// <summary>Versions that failed to load at the last apply (<c>name@number</c> → message); they do not serve.</summary>
    public IReadOnlyDictionary<string, string> LoadErrors => Volatile.Read(ref _loadErrors);

    /// <summary>A loaded version, if this node has it loaded (for test invocations).</summary>
    public ILoadedFunction? TryGetLoaded(string function, int number)
    {
        foreach (var entry in Current.Values)
        {
            if (entry.Stable.Function.Version is { } v && v.Function == function && v.Number == number)
            {
                return entry.Stable.Function;
            }
        }

        return null;
    }

    /// <summary>
    /// Applies the store's current state. <paramref name="preloaded"/> is a version the caller already loaded
    /// (a deploy validates by loading); it is used instead of loading again, or disposed if nothing serves it.
    /// </summary>
    public async Task<long> ApplyAsync(ILoadedFunction? preloaded = null, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await _store.GetServingStateAsync(cancellationToken).ConfigureAwait(false);
            var entries = new Dictionary<string, ServingEntry>(StringComparer.Ordinal);
            var keep = new HashSet<string>(StringComparer.Ordinal);
            var errors = new Dictionary<string, string>(StringComparer.Ordinal);
            var previous = Current;
            foreach (var function in state.Functions)
            {
                var stable = await GetOrLoadAsync(function.Stable, preloaded, errors, cancellationToken).ConfigureAwait(false);
                if (stable is null)
                {
                    // The release names a version this node cannot load: keep serving what it served before, if anything.
                    if (previous.TryGetValue(function.Release.Function, out var old))
                    {
                        entries[old.Release.Function] = old;
                        keep.Add(old.Stable.Function.Version.Label);
                    }

                    continue;
                }

                if (ReferenceEquals(stable.Function, preloaded))
                {
                    preloaded = null;
                }

                keep.Add(function.Stable.Label);
                entries[function.Release.Function] = new ServingEntry(function.Release, function.Stable.Manifest, stable);
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

            Volatile.Write(ref _appliedRevision, state.Revision);
            await ReportAsync(state.Revision, cancellationToken).ConfigureAwait(false);
            return state.Revision;
        }
        finally
        {
            if (preloaded is not null)
            {
                await preloaded.DisposeAsync().ConfigureAwait(false);
            }

            _gate.Release();
        }
    }

    private async Task<ServedVersion?> GetOrLoadAsync(
        FunctionVersion version,
        ILoadedFunction? preloaded,
        Dictionary<string, string> errors,
        CancellationToken cancellationToken)
    {
        if (_loaded.TryGetValue(version.Label, out var served))
        {
            return served;
        }

        ILoadedFunction function;
        if (preloaded is not null && preloaded.Version.Label == version.Label && preloaded.Version.ContentHash == version.ContentHash)
        {
            function = preloaded;
        }
        else
        {
            try
            {
                var limits = ResolvedLimits.Resolve(version.Manifest.Limits, _options.DefaultLimits);
                function = await _runtimes.Get(version.Runtime).LoadAsync(version, limits, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                errors[version.Label] = ex.Message;
                LogLoadFailed(_logger, version.Label, ex);
                return null;
            }
        }

        served = new ServedVersion(function);
        _loaded[version.Label] = served;
        return served;
    }

    private async Task ReportAsync(long revision, CancellationToken cancellationToken)
    {
        try
        {
            await _store.ReportNodeAsync(_options.NodeId, revision, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Reporting is for visibility; serving must not depend on it.
            LogReportFailed(_logger, ex);
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
}
