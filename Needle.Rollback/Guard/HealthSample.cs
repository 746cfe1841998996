namespace Needle.Rollback.Guard;

/// <summary>What one version of a function did over a window.</summary>
/// <param name="Requests">Requests it served.</param>
/// <param name="Errors">Requests that failed (5xx or an invocation failure).</param>
/// <param name="P99Ms">The 99th percentile latency in milliseconds (0 with no requests).</param>
public readonly record struct HealthSample(long Requests, long Errors, double P99Ms)
{
    /// <summary>No requests.</summary>
    public static HealthSample Empty => default;

    /// <summary>Errors over requests; 0 with no requests.</summary>
    public double ErrorRatio => Requests == 0 ? 0 : (double)Errors / Requests;
}
