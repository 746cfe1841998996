using Needle.Hosting;

namespace Needle.Observability.Hosting;

/// <summary>Options of <c>AddObservability</c>.</summary>
public sealed class NeedleObservabilityOptions
{
    /// <summary>The sliding windows of the health aggregator, whole seconds from 1 s to 1 h. Default: 10 s, 1 min, 5 min.</summary>
    public IList<TimeSpan> HealthWindows { get; } = [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)];

    /// <summary>Whether the OpenTelemetry Prometheus exporter is added to the meter provider (the host maps it with <c>MapPrometheusScrapingEndpoint()</c>). Default: <see langword="true"/>.</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>
    /// Whether a tracer provider records Needle's spans (<c>needle.invoke</c>, <c>needle.fetch</c>); the host adds its
    /// exporter (for example OTLP) with <c>ConfigureOpenTelemetryTracerProvider</c>. Default: <see langword="true"/>.
    /// </summary>
    public bool Tracing { get; set; } = true;

    /// <summary>
    /// Whether the tracer provider also records ASP.NET Core request spans and HttpClient spans (OpenTelemetry's
    /// instrumentation packages). Off by default: Needle's own spans already carry the caller's trace context and
    /// cover each fetch, and the request span costs about as much as the rest of observability on a small function
    /// (see docs/benchmarks.md). Default: <see langword="false"/>.
    /// </summary>
    public bool AspNetCoreInstrumentation { get; set; }

    /// <summary>
    /// Whether this node publishes its health windows to the store, so that the cluster's figures
    /// (<c>GET /health?scope=cluster</c>, the console, Needle.Rollback's guard, plan gate and patch watch) add up every
    /// live node's counts. Off, this node still reads the others'. Default: <see langword="true"/>.
    /// </summary>
    public bool PublishHealth { get; set; } = true;

    /// <summary>
    /// How often this node publishes its health windows and reads the other nodes' back: the cluster's figures lag the
    /// other nodes by about this much. A node whose last publication is older than Needle's <c>NodeGoneAfter</c>
    /// (<see cref="NeedleOptions"/>, 30 s: stopped, killed, cut off from the store) is gone, and its counts leave the
    /// cluster's figures, so the interval must be at most half of it. From 100 ms to 1 min. Default: 2 s.
    /// </summary>
    public TimeSpan HealthPublishInterval { get; set; } = TimeSpan.FromSeconds(2);
}
