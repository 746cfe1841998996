using Needle.ControlPlane;
using Needle.Patching;
using Needle.Releases;
using Needle.Rollback.Patches;
using Needle.Rollback.Rollbacks;

namespace Needle.Rollback.ControlPlane;

/// <summary>
/// Needle.Rollback's emergency actions, in place of Core's synchronous ones (<c>AddRollback</c> replaces the
/// <see cref="IEmergencyActions"/> registration): a patch becomes a watched <see cref="PatchJob"/> (202 with
/// <c>Location: patches/{id}</c>); a rollback with <see cref="RollbackRequest.Async"/> becomes a <see cref="RollbackJob"/>
/// (202), and without it stays synchronous, exactly as in Core. When Hangfire is down both are done on the request.
/// </summary>
internal sealed class JobEmergencyActions(PatchRunner runner, RollbackRequests requests, INeedleReleases releases) : IEmergencyActions
{
    public async Task<EmergencyOutcome> PatchAsync(string function, PatchRequest patch, string actor, CancellationToken cancellationToken)
    {
        var (run, replayed) = await runner.SubmitAsync(function, patch, actor, cancellationToken).ConfigureAwait(false);
        return replayed ? EmergencyOutcome.Done(run) : EmergencyOutcome.Accepted(run, $"patches/{run.Id}");
    }

    public async Task<EmergencyOutcome> RollbackAsync(string function, RollbackRequest rollback, string actor, CancellationToken cancellationToken)
    {
        if (!rollback.Async)
        {
            return EmergencyOutcome.Done(await releases.RollbackAsync(function, rollback.To, actor, rollback.Reason, ReleaseExpectation.None, cancellationToken).ConfigureAwait(false));
        }

        var (requestId, jobId, release) = await requests.SubmitAsync(function, rollback.To, actor, rollback.Reason, cancellationToken).ConfigureAwait(false);
        return release is not null
            ? EmergencyOutcome.Done(release)
            : EmergencyOutcome.Accepted(new RollbackAccepted(function, requestId, jobId!));
    }
}
