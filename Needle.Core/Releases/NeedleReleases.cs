using Needle.ControlPlane;
using Needle.Patching;
using Needle.Store;

namespace Needle.Releases;

/// <summary>Core's <see cref="INeedleReleases"/>: the API's own release and patch services, for the packages beside Core.</summary>
internal sealed class NeedleReleases(ReleaseService releases, PatchService patches, INeedleStore store) : INeedleReleases
{
    public async Task<ReleaseRecord?> GetCurrentAsync(string function, CancellationToken cancellationToken = default) =>
        (await store.GetFunctionAsync(function, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{function}' does not exist.")).Release;

    public Task<ReleaseRecord> SetCanaryAsync(string function, int version, double weight, bool force, string actor, string? reason, Quality.TestSkip? skip, CancellationToken cancellationToken = default) =>
        releases.SetCanaryAsync(function, version, weight, null, force, actor, reason, cancellationToken, skip);

    public Task<ReleaseRecord> PromoteAsync(string function, string actor, string? reason, Quality.TestSkip? skip, CancellationToken cancellationToken = default) =>
        releases.PromoteAsync(function, actor, reason, cancellationToken, skip);

    public Task<ReleaseRecord> AbortAsync(string function, string actor, string? reason, ReleaseExpectation expected, CancellationToken cancellationToken = default) =>
        releases.AbortAsync(function, actor, reason, cancellationToken, expected);

    public Task<ReleaseRecord> RollbackAsync(string function, int? to, string actor, string? reason, ReleaseExpectation expected, CancellationToken cancellationToken = default) =>
        releases.RollbackAsync(function, to, actor, reason, cancellationToken, expected);

    public Task<PatchResult> PatchAsync(string function, PatchRequest patch, string actor, CancellationToken cancellationToken = default) =>
        patches.ApplyAsync(function, patch, actor, cancellationToken);

    public Task<PatchCheck> CheckPatchAsync(string function, PatchRequest patch, CancellationToken cancellationToken = default) =>
        patches.CheckAsync(function, patch, cancellationToken);
}
