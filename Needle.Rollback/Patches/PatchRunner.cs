using System.Text.Json;
using Microsoft.Extensions.Logging;
using Needle.Patching;
using Needle.Releases;
using Needle.Rollback.Hosting;
using Needle.Rollback.State;
using Needle.Rollback.Telemetry;
using Needle.Store;

namespace Needle.Rollback.Patches;

/// <summary>
/// Accepts emergency patches: checks them through Core (<see cref="INeedleReleases.CheckPatchAsync"/>), records the run, queues <see cref="PatchJob"/> (or runs it here when Hangfire
/// is down). A patch is refused while another one for the function is still being applied; once that one's version
/// serves and is only watched, a new patch (against that version: the check insists on the serving base) supersedes it.
/// </summary>
internal sealed class PatchRunner(
    INeedleReleases releases,
    IRollbackStateStore state,
    RollbackJobs jobs,
    INeedleStore store,
    RollbackMetrics metrics,
    IServiceProvider services,
    TimeProvider time,
    ILogger<PatchRunner> logger)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Returns the run and whether it was recorded before under the same idempotency key.</summary>
    public async Task<(PatchRun Run, bool Replayed)> SubmitAsync(string function, PatchRequest patch, string actor, CancellationToken cancellationToken)
    {
        var key = string.IsNullOrWhiteSpace(patch.IdempotencyKey) ? null : patch.IdempotencyKey;
        if (key is not null && await FindByKeyAsync(function, key, cancellationToken).ConfigureAwait(false) is { } known)
        {
            return (known, true);
        }

        var (kind, baseVersion) = await releases.CheckPatchAsync(function, patch, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var run = new PatchRun(
            Guid.NewGuid().ToString("n"),
            function,
            kind,
            JsonSerializer.Serialize(patch, Json),
            key,
            PatchRun.Queued,
            baseVersion.Number,
            null,
            null,
            null,
            [new PatchRunStep("validated", now, $"{kind} against version {baseVersion.Number} ({baseVersion.ContentHash}); reason: {patch.Reason}" + (patch.Ticket is { Length: > 0 } t ? $"; ticket {t}" : ""))],
            actor,
            now,
            now);
        var (recorded, existing, superseded) = await state.InsertRunAsync(run, cancellationToken).ConfigureAwait(false);
        if (existing)
        {
            return (recorded, true);
        }

        if (superseded is not null)
        {
            // Its watch job, when it comes, finds the run superseded and does nothing: no revert over the new patch.
            var detail = superseded.Steps[^1].Detail!;
            metrics.PatchFinished(function, PatchRun.Superseded);
            RollbackLog.PatchStep(logger, superseded.Id, function, $"{PatchRun.Superseded}: {detail}");
            await store.AppendAuditAsync(new AuditEntry(actor, RollbackAuditActions.PatchSuperseded, function, superseded.Version, patch.Reason, $"patch={superseded.Id} by={recorded.Id}"), cancellationToken).ConfigureAwait(false);
        }

        var id = recorded.Id;
        if (jobs.Enqueue<PatchJob>(j => j.RunAsync(id, CancellationToken.None), "emergency patch") is null)
        {
            // No queue: apply now on the caller's request; the backstop job (or a restart) picks up the watch later.
            var job = (PatchJob)Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(services, typeof(PatchJob));
            await job.RunAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return (await state.GetRunAsync(id, cancellationToken).ConfigureAwait(false) ?? recorded, false);
    }

    private Task<PatchRun?> FindByKeyAsync(string function, string key, CancellationToken cancellationToken) =>
        state.FindRunByKeyAsync(function, key, cancellationToken);
}
