using System.Globalization;

namespace Needle.Rollback.Guard;

/// <summary>
/// The guard's decision, pure: a breach when the canary has at least the minimum requests and its error ratio exceeds
/// the stable one by the delta, or its p99 reaches factor × stable p99 + slack. Below the minimum nothing is decided.
/// Healthy needs a clear margin under every threshold; in between is marginal, which neither acts nor advances.
/// </summary>
public static class GuardPolicy
{
    /// <summary>Judges a canary against its stable version.</summary>
    /// <param name="stable">The stable version over the window.</param>
    /// <param name="canary">The canary over the window.</param>
    /// <param name="options">The thresholds.</param>
    /// <returns>The verdict and its reason.</returns>
    public static GuardDecision Evaluate(HealthSample stable, HealthSample canary, GuardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (canary.Requests < options.MinimumRequests)
        {
            return new(GuardVerdict.InsufficientData, stable, canary, Format($"canary has {canary.Requests} requests, fewer than the minimum {options.MinimumRequests}"));
        }

        var errorDelta = canary.ErrorRatio - stable.ErrorRatio;
        var latencyLimit = (options.P99Factor * stable.P99Ms) + options.P99SlackMs;

        // Without stable traffic there is no latency to compare with; the error ratio still counts (stable counts as 0 errors).
        var latencyComparable = stable.Requests > 0;
        var numbers = Format($"canary {canary.Errors}/{canary.Requests} errors ({canary.ErrorRatio:P1}), p99 {canary.P99Ms:F0} ms; stable {stable.Errors}/{stable.Requests} errors ({stable.ErrorRatio:P1}), p99 {stable.P99Ms:F0} ms");
        if (errorDelta >= options.ErrorRatioDelta)
        {
            return new(GuardVerdict.Breach, stable, canary, Format($"error ratio {errorDelta * 100:F1} points above stable (threshold {options.ErrorRatioDelta * 100:F1}): {numbers}"));
        }

        if (latencyComparable && canary.P99Ms >= latencyLimit)
        {
            return new(GuardVerdict.Breach, stable, canary, Format($"p99 {canary.P99Ms:F0} ms at or above {latencyLimit:F0} ms ({options.P99Factor}x stable + {options.P99SlackMs} ms): {numbers}"));
        }

        var clearErrors = errorDelta < options.ErrorRatioDelta * options.HealthyMargin;
        var clearLatency = !latencyComparable || canary.P99Ms < stable.P99Ms + ((latencyLimit - stable.P99Ms) * options.HealthyMargin);
        return clearErrors && clearLatency
            ? new(GuardVerdict.Healthy, stable, canary, "healthy: " + numbers)
            : new(GuardVerdict.Marginal, stable, canary, "marginal, under the thresholds but not clearly healthy: " + numbers);
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
