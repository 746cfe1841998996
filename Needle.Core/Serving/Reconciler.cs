using Microsoft.Extensions.Logging;
using Needle.Nodes;
using Needle.Routing;
using Needle.Runtime;
using Needle.Store;

namespace Needle.Serving;

/// <summary>
/// Makes this node serve what the store releases. Everything slow happens before the apply gate: reading the store,
/// finding the warm standbys, loading versions (<see cref="VersionCache"/>). Under the gate the next
/// <see cref="ServingSnapshot"/> is built (<see cref="ServingSnapshotBuilder"/>, pure), each function's slot is set,
/// the routes are published and one reference is swapped; versions no snapshot names any more are retired, drained,
/// then disposed. The node table is told in the background (<see cref="NodeReporter"/>).
/// </summary>
internal sealed partial class Reconciler : IAsyncDisposable
{
    // A poll that finds a change made here newer than what it read reads again, a few times, then leaves it to the next poll.
    private const int MaxAttempts = 3;
    private readonly INeedleStore _store;
    private readonly VersionCache _versions;
    private readonly ReleaseLoader _releases;
    private readonly NodeReporter _reporter;
    private readonly NeedleEndpointDataSource _dataSource;
    private readonly ILogger<Reconciler> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, FunctionSlot> _slots = new(StringComparer.Ordinal);
    private ServingSnapshot _snapshot = ServingSnapshot.Empty;

    // Not part of the snapshot: a poll sees the store move without applying anything.
    private long _storeRevision = -1;

    public Reconciler(
        INeedleStore store,
        VersionCache versions,
        ReleaseLoader releases,
        NodeReporter reporter,
        NeedleEndpointDataSource dataSource,
        ILogger<Reconciler> logger)
    {
        _store = store;
        _versions = versions;
        _releases = releases;
        _reporter = reporter;
        _dataSource = dataSource;
        _logger = logger;
    }

    /// <summary>What serves now, as one immutable whole.</summary>
    public ServingSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>The revision this node serves, or -1 before the first apply.</summary>
    public long AppliedRevision => Snapshot.Revision;

    /// <summary>The latest store revision this node has seen (at its last apply or poll), or -1 before the first.</summary>
    public long StoreRevision => Volatile.Read(ref _storeRevision);

    /// <summary>What serves now, by function name.</summary>
    public IReadOnlyDictionary<string, ServedRelease> Current => Snapshot.Functions;

    /// <summary>Versions that failed to load (<c>name@number</c> → message); see <see cref="ServingSnapshot.LoadErrors"/>.</summary>
    public IReadOnlyDictionary<string, string> LoadErrors => Snapshot.LoadErrors;

    /// <summary>Whether this node has the version loaded (stable, canary or warm).</summary>
    public bool IsLoaded(string function, int number) => Snapshot.Find(function, number) is not null;

    /// <summary>
    /// The loaded version, if this node has it (for test invocations). Enter it with <see cref="ServedVersion.TryEnter"/>
    /// before use, so a swap meanwhile cannot dispose it under the caller.
    /// </summary>
    public ServedVersion? TryGetServed(string function, int number) => Snapshot.Find(function, number);

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

    /// <summary>
    /// Applies the store's whole state (the start, the poll, changes made elsewhere). Loads what it names that this node
    /// has not loaded, and its warm standbys, before taking the apply gate: a load can take up to its runtime's load
    /// limit, and a rollback or kill switch applied meanwhile must not wait for it.
    /// </summary>
    /// <returns>The revision this node serves afterwards.</returns>
    public async Task<long> ApplyFromStoreAsync(CancellationToken cancellationToken = default)
    {
        // Versions loaded by an attempt that read again stay at hand for the next one.
        var loaded = new List<ILoadedFunction>();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var state = await _store.GetReleaseStateAsync(cancellationToken).ConfigureAwait(false);
                ObserveStoreRevision(state.Revision);
                var errors = new Dictionary<string, string>(StringComparer.Ordinal);
                var warm = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
                var before = Snapshot;
                foreach (var function in state.Functions)
                {
                    if (!before.Functions.TryGetValue(function.Release.Function, out var entry) || !ServingSnapshotBuilder.IsApplied(entry, function))
                    {
                        warm[function.Release.Function] = await _releases.PrepareAsync(function, loadMissing: true, loaded, errors, cancellationToken).ConfigureAwait(false);
                    }
                }

                await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var previous = Snapshot;
                    if (state.Revision < previous.LatestChange)
                    {
                        // A change made here landed after this read: applying the read would undo it.
                        if (attempt < MaxAttempts)
                        {
                            continue;
                        }

                        return previous.Revision;
                    }

                    await AdoptAsync(loaded).ConfigureAwait(false);
                    Publish(previous, ServingSnapshotBuilder.Build(previous, state, _versions.Get, warm, errors));
                    return Snapshot.Revision;
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        finally
        {
            await DisposeAllAsync(loaded).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Applies one function after a change made on this node wrote <paramref name="release"/> (or deleted the function:
    /// <see langword="null"/>) at <paramref name="revision"/>. <paramref name="loaded"/> are versions the caller loaded
    /// for it (a deploy validates by loading); the reconciler owns them from here, serving or disposing them.
    /// Loads nothing: a version the release names that is neither loaded nor handed over leaves the function as it
    /// was and the node's revision behind, and a whole apply in the background catches up (loading outside every gate).
    /// </summary>
    public async Task ApplyFunctionAsync(string name, ReleaseRecord? release, long revision, IReadOnlyCollection<ILoadedFunction> loaded, CancellationToken cancellationToken = default)
    {
        var handedOver = loaded.ToList();
        try
        {
            ReleasedFunction? function = null;
            IReadOnlyList<int> warm = [];
            var errors = new Dictionary<string, string>(StringComparer.Ordinal);
            if (release is not null)
            {
                var stable = await _releases.VersionOfAsync(name, release.StableVersion, handedOver, cancellationToken).ConfigureAwait(false);
                var canary = release.CanaryVersion is { } number ? await _releases.VersionOfAsync(name, number, handedOver, cancellationToken).ConfigureAwait(false) : null;
                function = new ReleasedFunction(release, stable, canary);
                warm = await _releases.PrepareAsync(function, loadMissing: false, handedOver, errors, cancellationToken).ConfigureAwait(false);
            }

            ServingSnapshot published;
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var previous = Snapshot;
                await AdoptAsync(handedOver).ConfigureAwait(false);
                published = ServingSnapshotBuilder.WithFunction(previous, name, function, revision, _versions.Get, warm, errors);
                Publish(previous, published);
            }
            finally
            {
                _gate.Release();
            }

            if (published.Revision < revision)
            {
                _ = CatchUpAsync();
            }
        }
        finally
        {
            await DisposeAllAsync(handedOver).ConfigureAwait(false);
        }
    }

    // Under the gate.
    private async Task AdoptAsync(List<ILoadedFunction> loaded)
    {
        foreach (var function in loaded)
        {
            await _versions.AdoptAsync(function).ConfigureAwait(false);
        }

        loaded.Clear();
    }

    // Under the gate: slots first (a request on an existing route sees the new entry), then routes, then the reference.
    private void Publish(ServingSnapshot previous, ServingSnapshot next)
    {
        if (ReferenceEquals(previous, next))
        {
            return;
        }

        var routes = new List<RouteEntry>(next.Functions.Count);
        foreach (var (name, entry) in next.Functions.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!_slots.TryGetValue(name, out var slot))
            {
                slot = new FunctionSlot(name);
                _slots[name] = slot;
            }

            slot.Set(entry);
            routes.Add(new RouteEntry(slot, entry.Manifest.Route ?? "/" + name, [.. entry.Manifest.Methods ?? ["GET", "POST"]]));
        }

        foreach (var name in _slots.Keys.Where(n => !next.Functions.ContainsKey(n)).ToList())
        {
            _slots[name].Set(null);
            _slots.Remove(name);
        }

        _dataSource.Update(routes);
        Volatile.Write(ref _snapshot, next);
        _versions.RetireUnused(next);
        ObserveStoreRevision(next.Revision);
        if (next.Revision > previous.Revision)
        {
            _reporter.Report(next);
        }
    }

    private async Task CatchUpAsync()
    {
        try
        {
            await ApplyFromStoreAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogCatchUpFailed(_logger, ex);
        }
    }

    private static async Task DisposeAllAsync(List<ILoadedFunction> unused)
    {
        foreach (var function in unused)
        {
            await function.DisposeAsync().ConfigureAwait(false);
        }

        unused.Clear();
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

            _versions.RetireAll();
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.CatchUpFailed, Level = LogLevel.Warning, Message = "Could not catch up with the store after a change made here; the next poll tries again.")]
    private static partial void LogCatchUpFailed(ILogger logger, Exception exception);
}
