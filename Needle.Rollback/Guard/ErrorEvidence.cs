namespace Needle.Rollback.Guard;

/// <summary>The error rule's numbers, so an operator can check the verdict by hand.</summary>
/// <param name="Test">The test used: <c>one-sided Fisher exact test</c> (canary against stable), or <c>one-sided exact binomial test against the delta</c> when stable had no requests.</param>
/// <param name="CanaryErrors">Canary errors in the window.</param>
/// <param name="CanaryRequests">Canary requests in the window.</param>
/// <param name="StableErrors">Stable (or base) errors in the window.</param>
/// <param name="StableRequests">Stable (or base) requests in the window.</param>
/// <param name="Delta">Canary error ratio minus stable error ratio: the effect.</param>
/// <param name="DeltaThreshold">The effect that matters (<see cref="GuardOptions.ErrorRatioDelta"/>).</param>
/// <param name="MinimumErrors">Canary errors needed before anything is called (<see cref="GuardOptions.MinimumErrors"/>).</param>
/// <param name="PValue">The test's one-sided p-value: how likely counts at least this lopsided are if the canary were no worse.</param>
/// <param name="Alpha">The significance level the p-value must be under (<see cref="GuardOptions.Alpha"/>).</param>
/// <param name="Breach">Whether all three hold: enough errors, a delta at or above the threshold, and p under alpha.</param>
public sealed record ErrorEvidence(
    string Test,
    long CanaryErrors,
    long CanaryRequests,
    long StableErrors,
    long StableRequests,
    double Delta,
    double DeltaThreshold,
    int MinimumErrors,
    double PValue,
    double Alpha,
    bool Breach);
