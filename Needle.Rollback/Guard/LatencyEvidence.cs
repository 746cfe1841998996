namespace Needle.Rollback.Guard;

/// <summary>The latency rule's numbers (warm requests only: cold starts are left out), so an operator can check the verdict by hand.</summary>
/// <param name="Compared">Whether latency was judged at all: both versions had enough warm requests for a p99 and the source keeps latencies.</param>
/// <param name="Test">The test used: <c>one-sided Fisher exact test</c> on the requests at or above the limit, canary against stable.</param>
/// <param name="LimitMs">The limit: <see cref="GuardOptions.P99Factor"/> × stable p99 + <see cref="GuardOptions.P99SlackMs"/>.</param>
/// <param name="CanaryP99Ms">The canary's warm p99.</param>
/// <param name="StableP99Ms">The stable version's warm p99.</param>
/// <param name="CanaryWarmRequests">Canary requests whose latency counts.</param>
/// <param name="CanaryColdStarts">Canary cold starts left out of the latency figures.</param>
/// <param name="StableWarmRequests">Stable requests whose latency counts.</param>
/// <param name="CanarySlowRequests">Canary requests certainly at or above the limit.</param>
/// <param name="StableSlowRequests">Stable requests certainly at or above the limit.</param>
/// <param name="MinimumSlowRequests">Slow canary requests needed before anything is called (<see cref="GuardOptions.MinimumSlowRequests"/>).</param>
/// <param name="MinimumSamples">Warm requests each version needs before its p99 is read (a p99 needs 100).</param>
/// <param name="PValue">The test's one-sided p-value, when latency was compared.</param>
/// <param name="Alpha">The significance level the p-value must be under.</param>
/// <param name="Breach">Whether the canary's p99 reached the limit with enough slow requests and p under alpha.</param>
public sealed record LatencyEvidence(
    bool Compared,
    string Test,
    double LimitMs,
    double CanaryP99Ms,
    double StableP99Ms,
    long CanaryWarmRequests,
    long CanaryColdStarts,
    long StableWarmRequests,
    long CanarySlowRequests,
    long StableSlowRequests,
    int MinimumSlowRequests,
    long MinimumSamples,
    double? PValue,
    double Alpha,
    bool Breach);
