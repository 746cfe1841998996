namespace Needle.Observability.Health;

/// <summary>One version's raw counts over a window, for a consumer that does its own statistics (Needle.Rollback's guard).</summary>
/// <param name="Requests">Invocations (aborted calls are not counted), cold starts included.</param>
/// <param name="Errors">Failed invocations, cold starts included.</param>
/// <param name="ColdStarts">Invocations that created a JavaScript engine or were an engine's first call, or were a C# version's first call.</param>
/// <param name="LatencyUpperBoundsMs">Each latency bucket's upper bound in milliseconds, ascending; the last is infinity.</param>
/// <param name="WarmLatencyCounts">Warm invocations (not cold starts) per bucket.</param>
public sealed record VersionSample(long Requests, long Errors, long ColdStarts, IReadOnlyList<double> LatencyUpperBoundsMs, IReadOnlyList<long> WarmLatencyCounts);
