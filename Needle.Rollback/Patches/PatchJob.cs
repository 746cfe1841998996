using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Patching;
using Needle.Releases;
using Needle.Rollback.Guard;
using Needle.Rollback.Hosting;
using Needle.Rollback.State;
using Needle.Rollback.Telemetry;
using Needle.Store;

namespace Needle.Rollback.Patches;

/// <summary>
/// An emergency patch run: apply (through Core's <see cref="INeedleReleases.PatchAsync"/>, one release change, so either the base or
/// the patched version serves, never neither), then watch the patched version for the watch window and revert to the
/// base when its error ratio is worse than the base's was. Idempotent: every step checks the run's status and the
/// release first, and the apply carries an idempotency key, so a re-run after a crash finishes the run or does nothing.
/// A run superseded by a newer patch during its watch does nothing more: the revert re-reads the run's status and
/// only replaces the stable version it patched.
/// </summary>
internal sealed class PatchJob(
    IRollbackStateStore state,
    INeedleStore store,
    INeedleReleases releases,
    ICanaryHealthSource health,
    RollbackJobs jobs,
    RollbackMetrics metrics,
    IOptions<RollbackOptions> rollbackOptions,
    TimeProvider time,
    ILogger<PatchJob> logger)
{
    /// <summary>During the watch the job looks again this often, so a bad patch is reverted before the window ends.</summary>
    public static readonly TimeSpan WatchRecheck = TimeSpan.FromSeconds(10);

    private const string Actor = "needle-patch";

    [DisplayName("Emergency patch {0}")]
    [AutomaticRetry(Attempts = 3)]
    public async Task<string> RunAsync(string patchId, CancellationToken cancellationToken)
    {
        var run = await state.GetRunAsync(patchId, cancellationToken).ConfigureAwait(false);
        return run switch
        {
            null => "unknown patch run",
            { Status: PatchRun.Queued } => await ApplyAsync(run, cancellationToken).ConfigureAwait(false),
            { Status: PatchRun.Watching } => await WatchAsync(run, cancellationToken).ConfigureAwait(false),
            _ => $"nothing to do: {run.Status}",
        };
    }

    private async Task<string> ApplyAsync(PatchRun run, CancellationToken cancellationToken)
    {
        var options = rollbackOptions.Value;
        var request = JsonSerializer.Deserialize<PatchRequest>(run.Request, PatchRunner.Json)!;

        // The run's own key: a re-run after a crash between the deploy and this row's update replays the first result.
        request.IdempotencyKey = "patch-run-" + run.Id;
        var baseline = health.GetSample(run.Function, run.BaseVersion, options.PatchWatchWindow);
        var baseRatio = baseline.ErrorRatio;
        PatchResult? result;
        try
        {
            result = await releases.PatchAsync(run.Function, request, run.Actor, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or NeedleConflictException or NeedleNotFoundException or Runtime.FunctionValidationException)
        {
            result = ex is NeedleConflictException ? await AdoptAsync(run, cancellationToken).ConfigureAwait(false) : null;
            if (result is null)
            {
                return await FinishAsync(run, PatchRun.Queued, "failed", "failed", ex.Message, cancellationToken).ConfigureAwait(false);
            }
        }

        var now = time.GetUtcNow();
        var applied = new PatchRunStep("applied", now, string.Create(CultureInfo.InvariantCulture, $"version {result.Version} serves all traffic (revision {result.Revision}); base {baseline.Errors}/{baseline.Requests} errors ({baseRatio:P1})"), baseline.Requests, baseline.Errors);
        if (run.Kind == "kill")
        {
            // A kill switch is the fallback itself: nothing to compare, nothing to revert to automatically.
            return await FinishAsync(run with { Version = result.Version, Steps = [.. run.Steps, applied] }, PatchRun.Queued, "succeeded", "succeeded", "kill switch on", cancellationToken).ConfigureAwait(false);
        }

        var watching = run with
        {
            Status = PatchRun.Watching,
            Version = result.Version,
            BaseErrorRatio = baseRatio,
            WatchUntil = now + options.PatchWatchWindow,
            Steps = [.. run.Steps, applied, new PatchRunStep("watching", now, $"until {now + options.PatchWatchWindow:O}")],
            UpdatedAt = now,
        };
        if (!await state.UpdateRunAsync(watching, PatchRun.Queued, cancellationToken).ConfigureAwait(false))
        {
            return "another delivery applied it";
        }

        RollbackLog.PatchStep(logger, run.Id, run.Function, applied.Detail!);
        ScheduleWatch(watching, now);
        return applied.Detail!;
    }

    private async Task<string> WatchAsync(PatchRun run, CancellationToken cancellationToken)
    {
        var options = rollbackOptions.Value;
        var now = time.GetUtcNow();
        var release = (await store.GetFunctionAsync(run.Function, cancellationToken).ConfigureAwait(false))?.Release;
        if (release is null || release.StableVersion != run.Version)
        {
            return await FinishAsync(run, PatchRun.Watching, "succeeded", "superseded", "the release moved on; the patch is no longer the stable version, left alone", cancellationToken).ConfigureAwait(false);
        }

        var sample = health.GetSample(run.Function, run.Version!.Value, options.PatchWatchWindow);
        var patched = await store.GetVersionAsync(run.Function, run.Version.Value, cancellationToken).ConfigureAwait(false);
        var guard = options.GuardFor(run.Function, patched?.Manifest.Guard);

        // The base's counts from before the patch; a run recorded before they were kept has only its ratio (tested against the delta).
        var applied = run.Steps.LastOrDefault(s => s.Name == "applied");
        var baseline = applied?.Requests is { } baseRequests ? new HealthSample(baseRequests, applied.Errors ?? 0, 0) : HealthSample.Empty;
        var evidence = GuardPolicy.CompareErrors(baseline, sample, options.PatchRevertDelta, guard);
        var enough = sample.Requests >= guard.MinimumRequests;
        var numbers = string.Create(
            CultureInfo.InvariantCulture,
            $"patched {sample.Errors}/{sample.Requests} errors ({sample.ErrorRatio:P1}) vs base {baseline.Errors}/{baseline.Requests} ({baseline.ErrorRatio:P1}), delta {evidence.Delta * 100:F1} points; revert needs at least {guard.MinimumRequests} requests, {guard.MinimumErrors} errors, +{options.PatchRevertDelta * 100:F1} points and {evidence.Test} p < {guard.Alpha}: p = {evidence.PValue:G3}");
        if (enough && evidence.Breach)
        {
            // A newer patch may have superseded this run since it was read: it must not be undone by this revert.
            if ((await state.GetRunAsync(run.Id, cancellationToken).ConfigureAwait(false))?.Status != PatchRun.Watching)
            {
                return "nothing to do: the run is no longer watched (superseded meanwhile)";
            }

            try
            {
                await releases.RollbackAsync(run.Function, run.BaseVersion, Actor, $"patch {run.Id} made things worse: {numbers}", new ReleaseExpectation(Stable: run.Version), cancellationToken).ConfigureAwait(false);
            }
            catch (NeedleConflictException ex)
            {
                return await FinishAsync(run, PatchRun.Watching, "failed", "failed", "revert refused: " + ex.Message, cancellationToken).ConfigureAwait(false);
            }

            return await FinishAsync(run, PatchRun.Watching, "reverted", "reverted", $"back to version {run.BaseVersion}: {numbers}", cancellationToken).ConfigureAwait(false);
        }

        if (now >= run.WatchUntil)
        {
            // Too little traffic to judge keeps the patch (it already serves everything): never a revert without evidence.
            return await FinishAsync(run, PatchRun.Watching, "succeeded", "succeeded", (enough ? "kept: " : "kept, too little data to judge: ") + numbers, cancellationToken).ConfigureAwait(false);
        }

        ScheduleWatch(run, now);
        return "watching: " + numbers;
    }

    /// <summary>
    /// A crash between the deploy and its audit record leaves the patched version serving with no replay to find; the
    /// re-run then sees a stale base. A stable version made from this run's base since the run started is that deploy.
    /// </summary>
    private async Task<PatchResult?> AdoptAsync(PatchRun run, CancellationToken cancellationToken)
    {
        var release = (await store.GetFunctionAsync(run.Function, cancellationToken).ConfigureAwait(false))?.Release;
        if (release is null || run.Kind == "kill")
        {
            return null;
        }

        var stable = await store.GetVersionAsync(run.Function, release.StableVersion, cancellationToken).ConfigureAwait(false);
        return stable is not null && stable.ParentNumber == run.BaseVersion && stable.CreatedAt >= run.CreatedAt
            ? new PatchResult(run.Function, run.Kind, run.BaseVersion, stable.Number, release.Revision, Replayed: true)
            : null;
    }

    private void ScheduleWatch(PatchRun run, DateTimeOffset now)
    {
        var remaining = run.WatchUntil!.Value - now;
        var id = run.Id;
        jobs.Schedule<PatchJob>(j => j.RunAsync(id, CancellationToken.None), remaining < WatchRecheck ? remaining : WatchRecheck, "patch watch");
    }

    private async Task<string> FinishAsync(PatchRun run, string expectedStatus, string status, string step, string detail, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var finished = run with { Status = status, Steps = [.. run.Steps, new PatchRunStep(step, now, detail)], UpdatedAt = now };
        if (await state.UpdateRunAsync(finished, expectedStatus, cancellationToken).ConfigureAwait(false))
        {
            metrics.PatchFinished(run.Function, step);
            RollbackLog.PatchStep(logger, run.Id, run.Function, $"{step}: {detail}");
            await store.AppendAuditAsync(new AuditEntry(run.Actor, RollbackAuditActions.OfPatchStep(step), run.Function, run.Version, detail, $"patch={run.Id}"), cancellationToken).ConfigureAwait(false);
        }

        return $"{step}: {detail}";
    }
}
