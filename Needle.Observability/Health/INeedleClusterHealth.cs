namespace Needle.Observability.Health;

/// <summary>
/// The health of every live node together: this node's own windows (live) plus what the other nodes published to the
/// store (as of the last read, every <c>HealthPublishInterval</c>), added up as sums of counts and histograms, so an
/// error ratio is errors over requests of the whole cluster, never an average of the nodes' ratios. On one node it is
/// that node's figures. It reads nothing from the store when asked.
/// </summary>
public interface INeedleClusterHealth
{
    /// <summary>Every function of the cluster, with the nodes counted.</summary>
    ClusterHealthSummary GetSummary();

    /// <summary>One function with its versions over the cluster, or <see langword="null"/> when no live node served it recently and this node does not serve it.</summary>
    /// <param name="function">The function name.</param>
    FunctionHealth? GetFunction(string function);

    /// <summary>One version's raw counts over the last <paramref name="window"/> (cut to the widest health window) on every live node.</summary>
    /// <param name="function">The function name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="window">How far back.</param>
    /// <returns>The summed counts, or <see langword="null"/> when no live node counted a call of it.</returns>
    VersionSample? GetSample(string function, int version, TimeSpan window);
}
