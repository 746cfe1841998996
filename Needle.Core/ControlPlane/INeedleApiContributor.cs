using Microsoft.AspNetCore.Routing;

namespace Needle.ControlPlane;

/// <summary>
/// Adds endpoints to the control-plane API: <c>MapNeedleApi</c> calls every registered contributor with its route
/// group, so the endpoints share its prefix, access rules, problem details and OpenAPI document. Other Needle packages
/// register one.
/// </summary>
/// <remarks>
/// A contributed endpoint refuses by throwing Needle's exceptions, which the group answers as every control-plane
/// endpoint does: <see cref="Runtime.FunctionValidationException"/> 400 <c>Invalid function</c> with its diagnostics,
/// <see cref="Store.NeedleNotFoundException"/> 404 <c>Not found</c>, <see cref="Store.NeedleConflictException"/> 409
/// <c>Conflict</c>, <see cref="ArgumentException"/> 400 <c>Invalid request</c>; the exception's message is the detail.
/// </remarks>
public interface INeedleApiContributor
{
    /// <summary>Maps the contributor's endpoints, relative to the API's prefix.</summary>
    /// <param name="api">The control plane's route group.</param>
    void Map(IEndpointRouteBuilder api);
}
