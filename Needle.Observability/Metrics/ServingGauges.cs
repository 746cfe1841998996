using System.Diagnostics.Metrics;
using Needle.Serving;
using static Needle.Telemetry.NeedleMetricNames;

namespace Needle.Observability.Metrics;

/// <summary>
/// Observable gauges of what this node serves, read at collection time (never on the request path): loaded
/// versions per function, the revision served and how far it is behind the store.
/// </summary>
internal sealed class ServingGauges
{
    public ServingGauges(IMeterFactory meterFactory, INeedleServingState state)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge(
            LoadedVersions,
            () => state.GetFunctions().Select(f => new Measurement<int>(f.LoadedVersions.Count, new KeyValuePair<string, object?>(FunctionTag, f.Name))),
            VersionUnit,
            "Versions loaded on this node per function: stable, canary and warm standbys.");
        meter.CreateObservableGauge(
            AppliedRevision,
            () => new Measurement<long>(state.AppliedRevision, new KeyValuePair<string, object?>(NodeTag, state.NodeId)),
            RevisionUnit,
            "The store revision this node serves.");
        meter.CreateObservableGauge(
            RevisionLag,
            () => new Measurement<long>(Math.Max(0, state.StoreRevision - state.AppliedRevision), new KeyValuePair<string, object?>(NodeTag, state.NodeId)),
            RevisionUnit,
            "Revisions this node is behind the latest it has seen in the store.");
    }
}
