namespace Needle.Client;

/// <summary>One sliding window of a function's or version's health.</summary>
/// <param name="Window">Its name (<c>10s</c>, <c>1m</c>, <c>5m</c>).</param>
/// <param name="Seconds">Its length.</param>
/// <param name="Requests">Requests in it.</param>
/// <param name="Errors">Failed requests in it.</param>
/// <param name="Rate">Requests a second.</param>
/// <param name="ErrorRatio">Errors over requests.</param>
/// <param name="P50Ms">Median latency.</param>
/// <param name="P95Ms">95th percentile latency.</param>
/// <param name="P99Ms">99th percentile latency.</param>
public sealed record HealthWindow(string Window, double Seconds, long Requests, long Errors, double Rate, double ErrorRatio, double? P50Ms, double? P95Ms, double? P99Ms);
