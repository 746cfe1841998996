using Needle.Functions;
using Needle.Releases;
using Needle.Store;
using Needle.Telemetry;

namespace Needle.Quality;

/// <summary>
/// The one place a skip of the quality gate is recorded (a <c>tests-skipped</c> audit event and the
/// <c>needle.tests.skipped</c> metric) and read back per version, from the audit trail, which is never rewritten.
/// </summary>
internal sealed class TestSkipRecorder(INeedleStore store, NeedleMetrics metrics)
{
    private const string RoutePrefix = "route=";

    // tests-skipped events read back per function; more than this many skips of one function is not a case to serve.
    private const int MaxRead = 1000;

    /// <summary>
    /// The <c>tests-skipped</c> audit event of <paramref name="version"/> taking its role through <paramref name="skip"/>:
    /// the caller writes it in the same transaction as the change (<see cref="NewVersion.MoreAudit"/>,
    /// <see cref="ReleaseChange.MoreAudit"/>), so a skip is never made without its event, and then calls <see cref="Counted"/>.
    /// </summary>
    public static AuditEntry Entry(FunctionVersion version, TestSkip skip, string actor)
    {
        var cases = version.Manifest.Tests?.Count ?? 0;
        var context = skip.Context is { Length: > 0 } more ? $"; {more}" : "";
        var detail = $"{RoutePrefix}{skip.Route}{context}; {cases} test cases not run (skipTests)";
        return new AuditEntry(actor, ReleaseActions.TestsSkipped, version.Name, version.Number, skip.Reason, detail);
    }

    /// <summary>Counts the skips a committed change made (their events are <see cref="Entry"/>'s) in <c>needle.tests.skipped</c>.</summary>
    public void Counted(IReadOnlyList<AuditEntry>? written, TestSkip? skip)
    {
        if (skip is null)
        {
            return;
        }

        foreach (var entry in written ?? [])
        {
            if (entry.Action == ReleaseActions.TestsSkipped && entry.Function is { } function)
            {
                metrics.RecordTestsSkipped(function, skip.Route);
            }
        }
    }

    /// <summary>The skips of each version of <paramref name="function"/>, newest first.</summary>
    public async Task<IReadOnlyDictionary<int, IReadOnlyList<SkippedTests>>> ListAsync(string function, CancellationToken cancellationToken)
    {
        var events = await store.ListAuditAsync(new AuditQuery(function, MaxRead, Action: ReleaseActions.TestsSkipped), cancellationToken).ConfigureAwait(false);
        return events
            .Where(e => e.Action == ReleaseActions.TestsSkipped && e.Function == function && e.Version is not null)
            .GroupBy(e => e.Version!.Value)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<SkippedTests>)g.Select(ToSkip).ToList());
    }

    // Events from before routes were recorded came from emergency patches, the only route that skipped then.
    private static SkippedTests ToSkip(AuditEvent e)
    {
        var route = e.Detail is { } detail && detail.StartsWith(RoutePrefix, StringComparison.Ordinal)
            ? detail[RoutePrefix.Length..].Split(';', 2)[0]
            : TestSkip.Patch;
        return new SkippedTests(e.At, e.Actor, route, e.Reason, e.Id);
    }
}
