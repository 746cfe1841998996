using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.ControlPlane;
using Needle.Hosting;
using Needle.Observability.Health;
using Needle.Observability.Hosting;
using Needle.Observability.Metrics;
using Needle.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Needle's observability: OpenTelemetry metrics and traces, Prometheus, health windows.</summary>
public static class NeedleObservabilityBuilderExtensions
{
    /// <summary>
    /// Wires OpenTelemetry to the <c>Needle</c> meter and activity source (with the Prometheus exporter; map it with
    /// <c>app.MapPrometheusScrapingEndpoint()</c>), adds gauges of what this node serves, and the health windows
    /// (<see cref="INeedleHealth"/>, and <c>/health</c> under the control-plane API), published to the store every
    /// <see cref="NeedleObservabilityOptions.HealthPublishInterval"/> so every node reads the cluster's
    /// (<see cref="INeedleClusterHealth"/>, <c>/health?scope=cluster</c>). Add the health check with
    /// <c>AddHealthChecks().AddNeedle()</c>. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The Needle builder.</param>
    /// <param name="configure">Sets <see cref="NeedleObservabilityOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static INeedleBuilder AddObservability(this INeedleBuilder builder, Action<NeedleObservabilityOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<NeedleObservabilityOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        if (services.Any(s => s.ServiceType == typeof(HealthWindows)))
        {
            return builder;
        }

        // OpenTelemetry's providers are configured while services are registered, so read the switches now.
        var switches = new NeedleObservabilityOptions();
        configure?.Invoke(switches);

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NeedleObservabilityOptions>, NeedleObservabilityOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<HealthWindows>();
        services.TryAddSingleton<HealthPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthPublisher>());
        services.TryAddSingleton<NeedleHealth>();
        services.TryAddSingleton<INeedleHealth>(sp => sp.GetRequiredService<NeedleHealth>());
        services.TryAddSingleton<INeedleClusterHealth>(sp => sp.GetRequiredService<NeedleHealth>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInvocationObserver, HealthWindows>(sp => sp.GetRequiredService<HealthWindows>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INeedleApiContributor, HealthApiContributor>());
        services.TryAddSingleton<ServingGauges>();
        services.AddHostedService<ServingGaugesStartup>();

        // Logs written during an invocation carry its trace and span ids (the request id comes from ASP.NET's scope).
        services.Configure<LoggerFactoryOptions>(o =>
            o.ActivityTrackingOptions |= ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var telemetry = services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(NeedleMetricNames.MeterName);
            if (switches.Prometheus)
            {
                metrics.AddPrometheusExporter();
            }
        });
        if (switches.Tracing)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(NeedleMetricNames.ActivitySourceName);
                if (switches.AspNetCoreInstrumentation)
                {
                    tracing.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                }
            });
        }

        return builder;
    }
}
