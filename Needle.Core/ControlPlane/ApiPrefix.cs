using Microsoft.AspNetCore.Http;

namespace Needle.ControlPlane;

/// <summary>
/// Endpoint metadata on the control plane's group: the prefix it was mapped under, captured when mapping, so a
/// response's location is built from it rather than recovered from the request's path. Every endpoint of the group
/// carries it, those of each <see cref="INeedleApiContributor"/> too.
/// </summary>
public sealed class ApiPrefix
{
    /// <summary>Captures <paramref name="prefix"/> (a trailing slash is dropped).</summary>
    /// <param name="prefix">The prefix given to <c>MapNeedleApi</c>.</param>
    public ApiPrefix(string prefix) => Value = prefix.TrimEnd('/');

    /// <summary>The prefix without a trailing slash (empty when mapped at the root).</summary>
    public string Value { get; }

    /// <summary>The absolute path of <paramref name="relative"/> (relative to the API's prefix) for this request's host.</summary>
    /// <param name="http">A request to a control-plane endpoint.</param>
    /// <param name="relative">A path under the prefix, such as <c>functions/hello/plans/current</c>.</param>
    /// <returns>The path base, the prefix and <paramref name="relative"/>: what a <c>Location</c> header carries.</returns>
    public static string LocationOf(HttpContext http, string relative)
    {
        var prefix = http.GetEndpoint()?.Metadata.GetMetadata<ApiPrefix>()?.Value ?? "";
        return $"{http.Request.PathBase}{prefix}/{relative.TrimStart('/')}";
    }
}
