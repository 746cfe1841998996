using System.Globalization;

namespace Needle.Rollback.Guard;

/// <summary>
/// The guard's decision, pure. Nothing is decided below <see cref="GuardOptions.MinimumRequests"/> canary requests.
/// An error breach needs <see cref="GuardOptions.MinimumErrors"/> canary errors, an error ratio at least
/// <see cref="GuardOptions.ErrorRatioDelta"/> above stable, and a one-sided Fisher exact test (canary errors against
/// stable errors, given both sample sizes) under <see cref="GuardOptions.Alpha"/>. A latency breach, on warm requests
/// only (cold starts are no latency evidence), needs at least <see cref="P99Samples"/> warm requests on both sides, the
/// canary's p99 at or above factor × stable p99 + slack, <see cref="GuardOptions.MinimumSlowRequests"/> canary requests
/// at or above that limit, and a one-sided Fisher exact test on the share of requests at or above it under alpha.
/// Healthy needs a clear margin under every threshold (<see cref="GuardOptions.HealthyMargin"/>), or fewer than k errors
/// and slow requests past it; anything else holds (too little data, or marginal): never a breach.
/// </summary>
public static class GuardPolicy
{
    /// <summary>The warm requests a p99 needs before it is read: below 100, the "99th percentile" is only the slowest request.</summary>
    public const int P99Samples = 100;

    /// <summary>The name of the test on error counts, as verdicts report it.</summary>
    public const string FisherTest = "one-sided Fisher exact test";

    /// <summary>The name of the test used when the stable version had no requests: canary errors against the delta itself.</summary>
    public const string BinomialTest = "one-sided exact binomial test against the delta";

    /// <summary>Judges a canary against its stable version.</summary>
    /// <param name="stable">The stable version over the window.</param>
    /// <param name="canary">The canary over the window.</param>
    /// <param name="options">The thresholds.</param>
    /// <returns>The verdict, its reason and the numbers of both rules.</returns>
    public static GuardDecision Evaluate(HealthSample stable, HealthSample canary, GuardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = CompareErrors(stable, canary, options.ErrorRatioDelta, options);
        var latency = CompareLatency(stable, canary, options);
        var numbers = Numbers(stable, canary, errors, latency);
        if (canary.Requests < options.MinimumRequests)
        {
            return new(GuardVerdict.InsufficientData, stable, canary, Format($"too little data: canary has {canary.Requests} requests, fewer than the minimum {options.MinimumRequests}; {numbers}"), errors, latency);
        }

        if (errors.Breach)
        {
            return new(GuardVerdict.Breach, stable, canary, Format($"error ratio {errors.Delta * 100:F1} points above stable (threshold {errors.DeltaThreshold * 100:F1}) with {errors.CanaryErrors} canary errors (minimum {errors.MinimumErrors}), {errors.Test} p = {P(errors.PValue)} < alpha {errors.Alpha}: {numbers}"), errors, latency);
        }

        if (latency.Breach)
        {
            return new(GuardVerdict.Breach, stable, canary, Format($"warm p99 {latency.CanaryP99Ms:F0} ms at or above {latency.LimitMs:F0} ms ({options.P99Factor}x stable + {options.P99SlackMs} ms) with {latency.CanarySlowRequests} slow canary requests (minimum {latency.MinimumSlowRequests}), {latency.Test} p = {P(latency.PValue ?? 1)} < alpha {latency.Alpha}: {numbers}"), errors, latency);
        }

        // Marginal needs evidence too: k errors, or k slow requests past the margin, never one outlier.
        var clearErrors = errors.Delta < options.ErrorRatioDelta * options.HealthyMargin || canary.Errors < options.MinimumErrors;
        if (!clearErrors)
        {
            return new(GuardVerdict.Marginal, stable, canary, "marginal (worse than stable, not proven bad): " + numbers, errors, latency);
        }

        // A canary too young for a p99 may still be slow: it holds until there is enough to tell.
        var stableHasP99 = stable.Requests > 0 && stable.WarmRequests >= P99Samples;
        if (stableHasP99 && canary.WarmRequests < P99Samples)
        {
            return new(GuardVerdict.InsufficientData, stable, canary, Format($"too little data: canary has {canary.WarmRequests} warm requests ({canary.ColdStarts} cold starts left out), a p99 needs {P99Samples}; {numbers}"), errors, latency);
        }

        var margin = latency.StableP99Ms + ((latency.LimitMs - latency.StableP99Ms) * options.HealthyMargin);
        var clearLatency = !latency.Compared || latency.CanaryP99Ms < margin || canary.Latency!.CountAtOrAbove(margin) < options.MinimumSlowRequests;
        return clearLatency
            ? new(GuardVerdict.Healthy, stable, canary, "healthy: " + numbers, errors, latency)
            : new(GuardVerdict.Marginal, stable, canary, "marginal (worse than stable, not proven bad): " + numbers, errors, latency);
    }

    /// <summary>
    /// The error rule alone, for anything that compares a version with a baseline (the guard, the patch watch): a breach
    /// needs <see cref="GuardOptions.MinimumErrors"/> errors, a delta of at least <paramref name="delta"/> and a one-sided
    /// Fisher exact test under <see cref="GuardOptions.Alpha"/>. Without baseline requests, the candidate's errors are
    /// tested against <paramref name="delta"/> itself (one-sided exact binomial test).
    /// </summary>
    /// <param name="baseline">The version compared with (stable, or the base of a patch).</param>
    /// <param name="candidate">The version judged (the canary, or the patch).</param>
    /// <param name="delta">The error ratio difference that matters.</param>
    /// <param name="options">The minimum errors and alpha.</param>
    public static ErrorEvidence CompareErrors(HealthSample baseline, HealthSample candidate, double delta, GuardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var difference = candidate.ErrorRatio - baseline.ErrorRatio;
        var (test, p) = baseline.Requests > 0
            ? (FisherTest, Significance.FisherGreater(candidate.Errors, candidate.Requests, baseline.Errors, baseline.Requests))
            : (BinomialTest, Significance.BinomialGreater(candidate.Errors, candidate.Requests, delta));
        var breach = candidate.Errors >= options.MinimumErrors && difference >= delta && p < options.Alpha;
        return new ErrorEvidence(test, candidate.Errors, candidate.Requests, baseline.Errors, baseline.Requests, difference, delta, options.MinimumErrors, p, options.Alpha, breach);
    }

    private static LatencyEvidence CompareLatency(HealthSample stable, HealthSample canary, GuardOptions options)
    {
        var limit = (options.P99Factor * stable.P99Ms) + options.P99SlackMs;
        var compared = stable.Requests > 0
            && stable.WarmRequests >= P99Samples
            && canary.WarmRequests >= P99Samples
            && stable.Latency is not null
            && canary.Latency is not null;
        long canarySlow = 0, stableSlow = 0;
        double? p = null;
        var breach = false;
        if (compared)
        {
            canarySlow = canary.Latency!.CountAtOrAbove(limit);
            stableSlow = stable.Latency!.CountAtOrAbove(limit);
            p = Significance.FisherGreater(canarySlow, canary.WarmRequests, stableSlow, stable.WarmRequests);
            breach = canary.P99Ms >= limit && canarySlow >= options.MinimumSlowRequests && p < options.Alpha;
        }

        return new LatencyEvidence(compared, FisherTest, limit, canary.P99Ms, stable.P99Ms, canary.WarmRequests, canary.ColdStarts, stable.WarmRequests, canarySlow, stableSlow, options.MinimumSlowRequests, P99Samples, p, options.Alpha, breach);
    }

    private static string Numbers(HealthSample stable, HealthSample canary, ErrorEvidence errors, LatencyEvidence latency)
    {
        var errorPart = Format($"canary {canary.Errors}/{canary.Requests} errors ({canary.ErrorRatio:P1}), stable {stable.Errors}/{stable.Requests} ({stable.ErrorRatio:P1}), {errors.Test} p = {P(errors.PValue)}");
        var latencyPart = latency.Compared
            ? Format($"warm p99 canary {canary.P99Ms:F0} ms / stable {stable.P99Ms:F0} ms, limit {latency.LimitMs:F0} ms, at or above it canary {latency.CanarySlowRequests}/{latency.CanaryWarmRequests} / stable {latency.StableSlowRequests}/{latency.StableWarmRequests}, {latency.Test} p = {P(latency.PValue ?? 1)}")
            : Format($"latency not compared (warm requests canary {latency.CanaryWarmRequests}, stable {latency.StableWarmRequests}; a p99 needs {P99Samples} each{(canary.Latency is null && canary.Requests > 0 ? ", and the source keeps no latencies" : "")})");
        return Format($"{errorPart}; {latencyPart}; cold starts left out of latency: canary {canary.ColdStarts}, stable {stable.ColdStarts}");
    }

    private static string P(double p) => p.ToString(p < 0.001 ? "0.##E+0" : "0.####", CultureInfo.InvariantCulture);

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
