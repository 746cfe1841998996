using Microsoft.Extensions.Diagnostics.HealthChecks;
using Needle.Observability.HealthChecks;
using Needle.Serving;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Needle's health check to ASP.NET Core health checks.</summary>
public static class NeedleHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that Needle's store answers, that every released version serves on this node and that the
    /// node is not behind the store's revision. It reports <see cref="HealthStatus.Degraded"/> when a version is not
    /// served, the node is behind, or its PostgreSQL change listener hears no notifications (data <c>listener</c>), and
    /// <paramref name="failureStatus"/> when the store cannot be reached; it never throws.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default: <c>needle</c>.</param>
    /// <param name="failureStatus">The status when the store cannot be reached. Default: <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags for filtering checks.</param>
    /// <param name="timeout">The check's timeout. Default: none.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddNeedle(
        this IHealthChecksBuilder builder,
        string name = "needle",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new NeedleHealthCheck(services.GetRequiredService<INeedleServingState>()),
            failureStatus,
            tags,
            timeout));
    }
}
