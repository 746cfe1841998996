using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Needle.ControlPlane;

/// <summary>Who sent a control-plane request, as Core's endpoints record it on the changes they make.</summary>
public static class ApiCaller
{
    /// <summary>
    /// The actor recorded for a change this request makes: the authenticated user's name, <c>api-key</c> for a request
    /// with the API key, or <c>local</c>. Only meaningful on an endpoint of the API's group, which admitted the caller.
    /// </summary>
    /// <param name="http">A request to a control-plane endpoint.</param>
    /// <returns>The actor's name.</returns>
    public static string ActorOf(HttpContext http) => http.RequestServices.GetRequiredService<ApiAccessFilter>().ActorOf(http);
}
