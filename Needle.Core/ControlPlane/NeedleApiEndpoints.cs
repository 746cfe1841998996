using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Needle.ControlPlane.Endpoints;

namespace Needle.ControlPlane;

/// <summary>
/// The control-plane HTTP API, mapped under the prefix given to <c>MapNeedleApi</c>: one route group with the access
/// rules, the problem mapping and the prefix, into which each resource (and each <see cref="INeedleApiContributor"/>)
/// maps its endpoints.
/// </summary>
internal static class NeedleApiEndpoints
{
    public const string GroupName = "needle";

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix)
    {
        var api = endpoints.MapGroup(prefix)
            .WithGroupName(GroupName)
            .WithTags("Needle")
            .WithMetadata(new ApiPrefix(prefix))
            .AddEndpointFilter<ApiAccessFilter>()
            .AddEndpointFilter<ApiProblemFilter>();

        FunctionEndpoints.Map(api);
        TestInvocationEndpoints.Map(api);
        TestCaseEndpoints.Map(api);
        ReleaseEndpoints.Map(api);
        EmergencyEndpoints.Map(api);
        AuditEndpoints.Map(api);
        foreach (var contributor in endpoints.ServiceProvider.GetServices<INeedleApiContributor>())
        {
            contributor.Map(api);
        }

        api.MapOpenApi("/openapi/{documentName}.json");
        return api;
    }
}
