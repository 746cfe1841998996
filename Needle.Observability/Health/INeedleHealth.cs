namespace Needle.Observability.Health;

/// <summary>
/// The in-process health windows: request rate, error ratio, p50/p95/p99 latency and last error per function and
/// version over sliding windows. The control-plane API, the console and the guard read these same figures.
/// </summary>
public interface INeedleHealth
{
    /// <summary>The windows, shortest first.</summary>
    IReadOnlyList<TimeSpan> Windows { get; }

    /// <summary>All functions.</summary>
    /// <returns>A snapshot read now.</returns>
    HealthSummary GetSummary();

    /// <summary>One function with its versions.</summary>
    /// <param name="function">The function name.</param>
    /// <returns>The figures, or <see langword="null"/> when the function neither serves nor had traffic within the widest window.</returns>
    FunctionHealth? GetFunction(string function);

    /// <summary>One version.</summary>
    /// <param name="function">The function name.</param>
    /// <param name="version">The version number.</param>
    /// <returns>The figures, or <see langword="null"/> when the version is neither loaded nor had traffic within the widest window.</returns>
    VersionHealth? GetVersion(string function, int version);

    /// <summary>
    /// The raw counts of one version over the last <paramref name="window"/> (cut to the widest window): requests, errors,
    /// cold starts, and the warm invocations' latency histogram. The guard does its statistics on these.
    /// </summary>
    /// <param name="function">The function name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="window">How far back; rounded up to whole seconds.</param>
    /// <returns>The counts, or <see langword="null"/> when the version had no traffic recorded (or this implementation keeps no raw counts).</returns>
    VersionSample? GetSample(string function, int version, TimeSpan window) => null;
}
