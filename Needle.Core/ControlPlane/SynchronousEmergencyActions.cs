using Needle.Patching;

namespace Needle.ControlPlane;

/// <summary>Core's emergency actions: the patch or the rollback is applied before the call returns.</summary>
internal sealed class SynchronousEmergencyActions(PatchService patches, ReleaseService releases) : IEmergencyActions
{
    public async Task<EmergencyOutcome> PatchAsync(string function, PatchRequest patch, string actor, CancellationToken cancellationToken)
    {
        var result = await patches.ApplyAsync(function, patch, actor, cancellationToken).ConfigureAwait(false);
        return result.Replayed ? EmergencyOutcome.Done(result) : EmergencyOutcome.Created(result, $"functions/{function}/versions/{result.Version}");
    }

    public async Task<EmergencyOutcome> RollbackAsync(string function, RollbackRequest rollback, string actor, CancellationToken cancellationToken) =>
        EmergencyOutcome.Done(await releases.RollbackAsync(function, rollback.To, actor, rollback.Reason, cancellationToken).ConfigureAwait(false));
}
