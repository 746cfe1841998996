namespace Needle.Observability.Health;

/// <summary>One sliding window's figures for a function or a version.</summary>
/// <param name="Window">The window's name: <c>10s</c>, <c>1m</c>, <c>5m</c> ...</param>
/// <param name="Seconds">The window's length in seconds.</param>
/// <param name="Requests">Invocations in the window (aborted calls are not counted).</param>
/// <param name="Errors">Failed invocations in the window (handler error, timeout, limit, invalid response, overloaded).</param>
/// <param name="Rate">Invocations per second over the window.</param>
/// <param name="ErrorRatio">Errors / requests, 0 without requests.</param>
/// <param name="P50Ms">Median latency of the warm invocations in milliseconds (cold starts are left out of every percentile), <see langword="null"/> without any.</param>
/// <param name="P95Ms">95th percentile latency in milliseconds.</param>
/// <param name="P99Ms">99th percentile latency in milliseconds.</param>
/// <param name="ColdStarts">
/// Invocations in the window that created a JavaScript engine or were an engine's first call, or were a C# version's first call: counted in
/// <paramref name="Requests"/> and <paramref name="Errors"/>, left out of the percentiles (their time is the start).
/// </param>
public sealed record WindowStats(
    string Window,
    double Seconds,
    long Requests,
    long Errors,
    double Rate,
    double ErrorRatio,
    double? P50Ms,
    double? P95Ms,
    double? P99Ms,
    long ColdStarts = 0);
