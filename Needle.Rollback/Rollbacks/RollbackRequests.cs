using Needle.Releases;
using Needle.Rollback.Hosting;
using Needle.Store;

namespace Needle.Rollback.Rollbacks;

/// <summary>
/// Starts a rollback as a job, or, when Hangfire is unavailable, performs it here and now: the release change never
/// depends on the queue.
/// </summary>
internal sealed class RollbackRequests(RollbackJobs jobs, INeedleReleases releases)
{
    /// <summary>Queues the rollback; returns the job id, or the release it made synchronously when the queue is down.</summary>
    public async Task<(string RequestId, string? JobId, ReleaseRecord? Release)> SubmitAsync(string function, int? to, string actor, string? reason, CancellationToken cancellationToken)
    {
        var current = await releases.GetCurrentAsync(function, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleConflictException($"Function '{function}' has no release to roll back.");
        var requestId = Guid.NewGuid().ToString("n");
        var jobId = jobs.Enqueue<RollbackJob>(j => j.RunAsync(function, to, requestId, current.Id, actor, reason, CancellationToken.None), "rollback");
        if (jobId is not null)
        {
            return (requestId, jobId, null);
        }

        return (requestId, null, await releases.RollbackAsync(function, to, actor, reason, ReleaseExpectation.None, cancellationToken).ConfigureAwait(false));
    }
}
