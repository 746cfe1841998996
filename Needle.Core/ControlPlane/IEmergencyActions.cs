using Needle.Patching;

namespace Needle.ControlPlane;

/// <summary>
/// The work behind the control plane's emergency calls, <c>POST /functions/{name}/patches</c> and
/// <c>POST /functions/{name}/rollback</c>. The endpoints, their routes and their OpenAPI entries are Core's; only the
/// work is replaceable. <c>AddNeedle</c> registers a synchronous implementation (the patch or rollback is done when
/// the call returns); another package replaces it: Needle.Rollback's <c>AddRollback</c> runs patches as watched jobs
/// and rollbacks with <see cref="RollbackRequest.Async"/> as jobs.
/// </summary>
/// <remarks>
/// Refusals are exceptions, which the API maps to problem details: <see cref="ArgumentException"/> and
/// <see cref="Runtime.FunctionValidationException"/> 400, <see cref="Store.NeedleNotFoundException"/> 404,
/// <see cref="Store.NeedleConflictException"/> 409.
/// </remarks>
public interface IEmergencyActions
{
    /// <summary>Applies (or accepts) an emergency patch to all traffic of <paramref name="function"/>.</summary>
    /// <param name="function">The function.</param>
    /// <param name="patch">The patch as the caller sent it.</param>
    /// <param name="actor">Who asked, for the audit trail.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>What the API answers.</returns>
    Task<EmergencyOutcome> PatchAsync(string function, PatchRequest patch, string actor, CancellationToken cancellationToken);

    /// <summary>Rolls <paramref name="function"/> back (or accepts the rollback as a job).</summary>
    /// <param name="function">The function.</param>
    /// <param name="rollback">The rollback as the caller sent it, with <see cref="RollbackRequest.Async"/> from the query.</param>
    /// <param name="actor">Who asked, for the audit trail.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>What the API answers.</returns>
    Task<EmergencyOutcome> RollbackAsync(string function, RollbackRequest rollback, string actor, CancellationToken cancellationToken);
}
