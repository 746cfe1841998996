using Needle.Observability.Health;

namespace Needle.Rollback.Guard;

/// <summary>
/// The guard's health numbers from Needle.Observability's health windows, when the host added observability: the
/// guard then decides on the same figures the API, the console and Grafana show. The window used is the shortest
/// configured one that covers the guard's window (or the longest there is).
/// </summary>
internal sealed class ObservabilityHealthSource(INeedleHealth health) : ICanaryHealthSource
{
    public HealthSample GetSample(string function, int version, TimeSpan window)
    {
        if (health.GetVersion(function, version) is not { } figures || figures.Windows.Count == 0)
        {
            return HealthSample.Empty;
        }

        var stats = figures.Windows.FirstOrDefault(w => w.Seconds >= window.TotalSeconds) ?? figures.Windows[^1];
        return new HealthSample(stats.Requests, stats.Errors, stats.P99Ms ?? 0);
    }
}
