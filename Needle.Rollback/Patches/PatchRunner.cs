using System.Text.Json;
using Needle.Patching;
using Needle.Rollback.Hosting;
using Needle.Rollback.State;

namespace Needle.Rollback.Patches;

/// <summary>Accepts emergency patches: validates, records the run, queues <see cref="PatchJob"/> (or runs it here when Hangfire is down).</summary>
internal sealed class PatchRunner(PatchValidator validator, RollbackStateStore state, RollbackJobs jobs, IServiceProvider services, TimeProvider time)
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

        var (kind, baseVersion) = await validator.ValidateAsync(function, patch, cancellationToken).ConfigureAwait(false);
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
        var (recorded, existing) = await state.InsertRunAsync(run, cancellationToken).ConfigureAwait(false);
        if (existing)
        {
            return (recorded, true);
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
