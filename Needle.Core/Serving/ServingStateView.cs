using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Store;
using Needle.Store.Postgres;

namespace Needle.Serving;

/// <summary>A read-only view of the <see cref="Reconciler"/> and the store for health checks and gauges.</summary>
internal sealed class ServingStateView : INeedleServingState
{
    private readonly Reconciler _reconciler;
    private readonly INeedleStore _store;
    private readonly Nodes.NodeReporter _reporter;
    private readonly StoreListenerStatus _listener;

    public ServingStateView(Reconciler reconciler, INeedleStore store, Nodes.NodeReporter reporter, IOptions<NeedleOptions> options, StoreListenerStatus listener)
    {
        _reconciler = reconciler;
        _store = store;
        _reporter = reporter;
        _listener = listener;
        NodeId = options.Value.NodeId;
    }

    public string NodeId { get; }

    public long AppliedRevision => _reconciler.Snapshot.Revision;

    public long StoreRevision => _reconciler.StoreRevision;

    public IReadOnlyDictionary<string, string> LoadErrors => _reconciler.Snapshot.LoadErrors;

    public IReadOnlyList<ServedFunction> GetFunctions() =>
        _reconciler.Snapshot.Functions.Values
            .OrderBy(e => e.Release.Function, StringComparer.Ordinal)
            .Select(e => new ServedFunction(
                e.Release.Function,
                e.Stable.Function.Version.Number,
                e.Canary?.Function.Version.Number,
                e.Canary is null ? 0 : e.Release.CanaryWeight,
                e.Loaded.Keys.Order().ToArray(),
                e.Release.KillSwitch is not null))
            .ToList();

    public FunctionVersion? FindVersion(string function, int number) => _reconciler.TryGetServed(function, number)?.Function.Version;

    public async Task<ServingCheck> CheckAsync(CancellationToken cancellationToken = default)
    {
        // Read the applied revision first: a change applied meanwhile can only make the node look behind, never ahead.
        var applied = _reconciler.Snapshot.Revision;
        var revision = await _store.GetRevisionAsync(cancellationToken).ConfigureAwait(false);
        _reconciler.ObserveStoreRevision(revision);
        var functions = await _store.ListFunctionsAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = _reconciler.Snapshot;
        var current = snapshot.Functions;
        var notServed = new List<string>();
        foreach (var function in functions)
        {
            if (function.Release is not { } release)
            {
                continue;
            }

            current.TryGetValue(function.Name, out var entry);
            if (entry?.Stable.Function.Version.Number != release.StableVersion)
            {
                notServed.Add(new VersionKey(function.Name, release.StableVersion).ToString());
            }

            if (release.CanaryVersion is { } canary && entry?.Canary?.Function.Version.Number != canary)
            {
                notServed.Add(new VersionKey(function.Name, canary).ToString());
            }
        }

        return new ServingCheck(revision, applied, notServed, snapshot.LoadErrors, _listener.Problem) { NodeIdConflict = _reporter.NodeIdConflict };
    }
}
