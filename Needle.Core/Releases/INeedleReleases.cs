using Needle.Patching;
using Needle.Store;

namespace Needle.Releases;

/// <summary>
/// Release moves and emergency patches for packages beside Core (Needle.Rollback's guard, release plans and patch
/// runs): the same service the control-plane API calls, so each move is checked against the release it starts from,
/// loads what it needs before the store is written, records one release row with its audit event, and is applied on
/// this node before it returns. Other nodes follow within their poll interval.
/// </summary>
/// <remarks>
/// Refusals are Needle's exceptions, as on the API: <see cref="NeedleNotFoundException"/> (no such function or version),
/// <see cref="NeedleConflictException"/> (the release does not allow it, or moved on from <see cref="ReleaseExpectation"/>),
/// <see cref="ArgumentException"/> (bad input), <see cref="Runtime.FunctionValidationException"/> (a version that does not load).
/// </remarks>
public interface INeedleReleases
{
    /// <summary>The function's current release, read from the store; <see langword="null"/> when the function has none.</summary>
    /// <param name="function">The function name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="NeedleNotFoundException">The function does not exist.</exception>
    Task<ReleaseRecord?> GetCurrentAsync(string function, CancellationToken cancellationToken = default);

    /// <summary>
    /// Puts <paramref name="version"/> in as canary with <paramref name="weight"/> percent of traffic; the canary's pins
    /// stay when it already runs as canary. A version marked bad is refused unless <paramref name="force"/> is set.
    /// A version new to the canary role runs its test cases first, unless <paramref name="skip"/> goes around them (audited).
    /// </summary>
    Task<ReleaseRecord> SetCanaryAsync(string function, int version, double weight, bool force, string actor, string? reason, Quality.TestSkip? skip, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="SetCanaryAsync(string, int, double, bool, string, string?, Quality.TestSkip?, CancellationToken)"/>, with the test cases run.</summary>
    Task<ReleaseRecord> SetCanaryAsync(string function, int version, double weight, bool force, string actor, string? reason, CancellationToken cancellationToken = default) =>
        SetCanaryAsync(function, version, weight, force, actor, reason, skip: null, cancellationToken);

    /// <summary>
    /// The canary becomes the stable version and serves all traffic, after its test cases pass (a kept passing run
    /// counts), unless <paramref name="skip"/> goes around them (audited as <c>tests-skipped</c>).
    /// </summary>
    Task<ReleaseRecord> PromoteAsync(string function, string actor, string? reason, Quality.TestSkip? skip, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="PromoteAsync(string, string, string?, Quality.TestSkip?, CancellationToken)"/>, with the test cases run.</summary>
    Task<ReleaseRecord> PromoteAsync(string function, string actor, string? reason, CancellationToken cancellationToken = default) =>
        PromoteAsync(function, actor, reason, skip: null, cancellationToken);

    /// <summary>The canary is removed; the stable version serves all traffic.</summary>
    Task<ReleaseRecord> AbortAsync(string function, string actor, string? reason, ReleaseExpectation expected, CancellationToken cancellationToken = default);

    /// <summary>
    /// Rolls back: with a canary (and no <paramref name="to"/>), the canary is removed and marked bad; otherwise the
    /// previous stable version that is not marked bad (or <paramref name="to"/>) returns and the one it replaces is marked bad.
    /// </summary>
    Task<ReleaseRecord> RollbackAsync(string function, int? to, string actor, string? reason, ReleaseExpectation expected, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies an emergency patch to all traffic at once (the work behind <c>POST /functions/{name}/patches</c> in Core):
    /// a new version whose parent is the stable one, or the kill switch. Audited with its reason and ticket; a patch
    /// with a known <see cref="PatchRequest.IdempotencyKey"/> returns the first result.
    /// </summary>
    Task<PatchResult> PatchAsync(string function, PatchRequest patch, string actor, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks a patch without changing anything: a reason, one kind, a function with a release, a base hash that
    /// matches the stable version, a diff that applies, a result that loads (then dropped) and that changes something.
    /// </summary>
    /// <returns>The patch's kind and the stable version it is made against.</returns>
    Task<PatchCheck> CheckPatchAsync(string function, PatchRequest patch, CancellationToken cancellationToken = default);
}
