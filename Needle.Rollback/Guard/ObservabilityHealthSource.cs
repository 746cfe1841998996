using Needle.Observability.Health;

namespace Needle.Rollback.Guard;

/// <summary>
/// The guard's health numbers from Needle.Observability's health windows, when the host added observability: the
/// guard then decides on the same counts the API, the console and Grafana show, over exactly its own window (cut to the
/// widest health window), with the warm requests' latency histogram and the cold starts apart.
/// </summary>
internal sealed class ObservabilityHealthSource(INeedleHealth health) : ICanaryHealthSource
{
    public HealthSample GetSample(string function, int version, TimeSpan window)
    {
        if (health.GetSample(function, version, window) is { Requests: > 0 } sample)
        {
            var latency = new LatencyHistogram(sample.LatencyUpperBoundsMs, sample.WarmLatencyCounts);
            return new HealthSample(sample.Requests, sample.Errors, latency.Quantile(0.99)) { ColdStarts = sample.ColdStarts, Latency = latency };
        }

        return HealthSample.Empty;
    }
}
