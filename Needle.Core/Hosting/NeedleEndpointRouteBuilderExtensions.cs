using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Needle.ControlPlane;
using Needle.Hosting;
using Needle.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Needle's function routes and control-plane API.</summary>
public static class NeedleEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every deployed function under <paramref name="prefix"/> (a function with route <c>/hello</c> answers
    /// <c>/fn/hello</c>). Routes follow deploys and rollbacks without a restart.
    /// </summary>
    /// <param name="endpoints">The host's endpoint route builder.</param>
    /// <param name="prefix">The path prefix of function routes. Default: <c>/fn</c>.</param>
    /// <returns>A convention builder that applies to every function endpoint (authorization, CORS, rate limiting ...).</returns>
    /// <exception cref="InvalidOperationException">When <c>AddNeedle</c> was not called.</exception>
    public static IEndpointConventionBuilder MapNeedle(this IEndpointRouteBuilder endpoints, string prefix = "/fn")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        EnsureAdded(endpoints, nameof(MapNeedle));
        var dataSource = endpoints.ServiceProvider.GetRequiredService<NeedleEndpointDataSource>();
        dataSource.SetPrefix(prefix);
        endpoints.DataSources.Add(dataSource);
        return dataSource;
    }

    /// <summary>
    /// Maps the control-plane API (deploy, list, activate, test-invoke, delete, audit, nodes, and its OpenAPI document
    /// at <c>{prefix}/openapi/needle.json</c>). Only local requests and requests with the API key are admitted until
    /// the host sets its own policy with <c>RequireAuthorization(...)</c> on the returned builder.
    /// </summary>
    /// <param name="endpoints">The host's endpoint route builder.</param>
    /// <param name="prefix">The path prefix. Default: <c>/needle/api</c>.</param>
    /// <returns>The route group, to add authorization or other conventions.</returns>
    /// <exception cref="InvalidOperationException">When <c>AddNeedle</c> was not called.</exception>
    public static RouteGroupBuilder MapNeedleApi(this IEndpointRouteBuilder endpoints, string prefix = "/needle/api")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        EnsureAdded(endpoints, nameof(MapNeedleApi));
        return NeedleApiEndpoints.Map(endpoints, prefix);
    }

    private static void EnsureAdded(IEndpointRouteBuilder endpoints, string caller)
    {
        if (endpoints.ServiceProvider.GetService<NeedleMarkerService>() is null)
        {
            throw new InvalidOperationException(
                $"Unable to find the Needle services. Add them by calling 'builder.Services.AddNeedle(...)' before calling '{caller}'.");
        }
    }
}
