using Microsoft.AspNetCore.Routing;

namespace Needle.ControlPlane;

/// <summary>
/// Adds endpoints to the control-plane API: <c>MapNeedleApi</c> calls every registered contributor with its route
/// group, so the endpoints share its prefix, access rules and OpenAPI document. Other Needle packages register one.
/// </summary>
public interface INeedleApiContributor
{
    /// <summary>Maps the contributor's endpoints, relative to the API's prefix.</summary>
    /// <param name="api">The control plane's route group.</param>
    void Map(IEndpointRouteBuilder api);
}
