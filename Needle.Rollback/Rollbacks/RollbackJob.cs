using System.ComponentModel;
using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Logging;
using Needle.Releases;
using Needle.Rollback.Telemetry;
using Needle.Serving;
using Needle.Store;

namespace Needle.Rollback.Rollbacks;

/// <summary>
/// A rollback as a Hangfire job: performs the release change, waits until this node serves the version rolled back
/// to, and records how long that took (audit event <c>rollback-served</c>, metric <c>needle.rollback.duration</c>).
/// Idempotent: the request id travels in the release's reason, so a second delivery finds its own rollback and only reports.
/// </summary>
internal sealed class RollbackJob(INeedleReleases releases, INeedleServingState serving, INeedleStore store, TimeProvider time, RollbackMetrics metrics, ILogger<RollbackJob> logger)
{
    [DisplayName("Rollback {0} (request {2})")]
    [AutomaticRetry(Attempts = 3)]
    public async Task<string> RunAsync(string function, int? to, string requestId, long expectedReleaseId, string actor, string? reason, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var tag = $"[rollback {requestId}]";
        var history = await store.ListReleasesAsync(function, 50, cancellationToken).ConfigureAwait(false);
        var release = history.FirstOrDefault(r => r.Reason?.Contains(tag, StringComparison.Ordinal) == true);
        if (release is null)
        {
            var current = (await store.GetFunctionAsync(function, cancellationToken).ConfigureAwait(false))?.Release;
            if (current is null || current.Id != expectedReleaseId)
            {
                // The release moved on since the request (a person or the guard acted): rolling back now could undo their change.
                var why = current is null ? "the function has no release" : $"the release changed since the request (now {current.Id}, expected {expectedReleaseId})";
                RollbackLog.RollbackSkipped(logger, requestId, function, why);
                return "skipped: " + why;
            }

            // Checked again under the change gate: a change in between is a conflict, and the retry above skips.
            release = await releases.RollbackAsync(function, to, actor, $"{reason ?? "rollback"} {tag}", new ReleaseExpectation(ReleaseId: expectedReleaseId), cancellationToken).ConfigureAwait(false);
        }

        // The change applies on this node before RollbackAsync returns; other nodes follow within their poll interval.
        while (serving.AppliedRevision < release.Revision)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
        }

        var duration = time.GetElapsedTime(started);
        metrics.RollbackServed(function, duration);
        RollbackLog.RollbackServed(logger, function, duration.TotalMilliseconds, release.Id);
        var detail = string.Create(CultureInfo.InvariantCulture, $"request={requestId} stable={release.StableVersion} revision={release.Revision} duration_ms={duration.TotalMilliseconds:F1}");
        await store.AppendAuditAsync(new AuditEntry(actor, RollbackAuditActions.RollbackServed, function, release.StableVersion, reason, detail), cancellationToken).ConfigureAwait(false);
        return detail;
    }
}
