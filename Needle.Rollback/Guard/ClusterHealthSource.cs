using Needle.Observability.Health;

namespace Needle.Rollback.Guard;

/// <summary>
/// The guard's health numbers when the host added Needle.Observability: its cluster figures
/// (<see cref="INeedleClusterHealth"/>), this node's live windows plus every other live node's last publication, added
/// up as sums. So the guard, release plan gates and patch watches of every node judge a canary on the whole cluster's
/// requests (a canary served only by one node is judged on that node's numbers), over exactly their own window (cut to
/// the widest health window), with the warm requests' latency histogram and the cold starts apart. On one node these
/// are that node's own figures, the same the API, the console and Grafana show.
/// </summary>
internal sealed class ClusterHealthSource(INeedleClusterHealth health) : ICanaryHealthSource
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
