using Hangfire;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Needle.Rollback.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Maps Needle.Rollback's Hangfire dashboard. Its control-plane endpoints (plans, patch runs, the guard's view) need no
/// call of their own: <c>MapNeedleApi</c> maps them under its prefix once <c>AddRollback</c> was called.
/// </summary>
public static class RollbackEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the Hangfire dashboard over Needle.Rollback's job storage, where the rollback, guard, plan and patch jobs
    /// show with their names and results. Local requests only unless <paramref name="options"/> sets other authorization.
    /// </summary>
    /// <param name="endpoints">The host's endpoint route builder.</param>
    /// <param name="pattern">The path. Default: <c>/hangfire</c>.</param>
    /// <param name="options">Dashboard options; default: Hangfire's (local requests only).</param>
    /// <returns>The endpoint, to add authorization.</returns>
    /// <exception cref="InvalidOperationException">When <c>AddRollback</c> was not called.</exception>
    public static IEndpointConventionBuilder MapNeedleJobsDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/hangfire", DashboardOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        EnsureAdded(endpoints, nameof(MapNeedleJobsDashboard));
        var storage = endpoints.ServiceProvider.GetRequiredService<RollbackJobs>().Storage;
        return endpoints.MapHangfireDashboard(pattern, options ?? new DashboardOptions { DashboardTitle = "Needle jobs" }, storage);
    }

    private static void EnsureAdded(IEndpointRouteBuilder endpoints, string caller)
    {
        if (endpoints.ServiceProvider.GetService<RollbackMarkerService>() is null)
        {
            throw new InvalidOperationException(
                $"Unable to find the Needle.Rollback services. Add them by calling 'builder.Services.AddNeedle(...).AddRollback(...)' before calling '{caller}'.");
        }
    }
}
