using Hangfire;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Needle.Rollback.ControlPlane;
using Needle.Rollback.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Needle.Rollback's control-plane endpoints and its Hangfire dashboard.</summary>
public static class RollbackEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps release plans (<c>POST/GET/DELETE {prefix}/functions/{name}/plans[/current]</c>), patch runs
    /// (<c>GET {prefix}/patches/{id}</c>, where the <c>Location</c> of a patch's 202 points) and the guard's view
    /// (<c>GET {prefix}/guard</c>). Use the same prefix as <c>MapNeedleApi</c>; the same access rules apply. The patch
    /// and rollback endpoints themselves are <c>MapNeedleApi</c>'s; <c>AddRollback</c> makes them jobs.
    /// </summary>
    /// <param name="endpoints">The host's endpoint route builder.</param>
    /// <param name="prefix">The control-plane prefix. Default: <c>/needle/api</c>.</param>
    /// <returns>The route group, to add authorization or other conventions.</returns>
    /// <exception cref="InvalidOperationException">When <c>AddRollback</c> was not called.</exception>
    public static RouteGroupBuilder MapNeedleRollback(this IEndpointRouteBuilder endpoints, string prefix = "/needle/api")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        EnsureAdded(endpoints, nameof(MapNeedleRollback));
        return RollbackApiEndpoints.Map(endpoints, prefix);
    }

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
