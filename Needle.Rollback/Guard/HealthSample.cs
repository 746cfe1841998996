using System.Text.Json.Serialization;

namespace Needle.Rollback.Guard;

/// <summary>What one version of a function did over a window.</summary>
/// <param name="Requests">Requests it served, cold starts included.</param>
/// <param name="Errors">Requests that failed (5xx or an invocation failure), cold starts included.</param>
/// <param name="P99Ms">The 99th percentile latency of its warm requests in milliseconds (0 with none).</param>
public readonly record struct HealthSample(long Requests, long Errors, double P99Ms)
{
    /// <summary>No requests.</summary>
    public static HealthSample Empty => default;

    /// <summary>Errors over requests; 0 with no requests.</summary>
    public double ErrorRatio => Requests == 0 ? 0 : (double)Errors / Requests;

    /// <summary>
    /// Requests that created a JavaScript engine or were an engine's first call, or were a C# version's first call. They count as requests and errors,
    /// never as latency evidence: their duration is the start, not the version. Default: 0.
    /// </summary>
    public long ColdStarts { get; init; }

    /// <summary>
    /// The warm requests' latencies, when the source keeps them. Without it (a host's own source) the guard cannot count
    /// slow requests, so it never calls a latency breach from that sample.
    /// </summary>
    [JsonIgnore]
    public LatencyHistogram? Latency { get; init; }

    /// <summary>Requests whose latency counts: <see cref="Requests"/> less <see cref="ColdStarts"/>.</summary>
    public long WarmRequests => Latency?.Count ?? Math.Max(0, Requests - ColdStarts);
}
