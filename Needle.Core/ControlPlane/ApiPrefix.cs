using Microsoft.AspNetCore.Http;

namespace Needle.ControlPlane;

/// <summary>
/// Endpoint metadata on the control plane's group: the prefix it was mapped under, captured when mapping, so a
/// response's location is built from it rather than recovered from the request's path.
/// </summary>
internal sealed class ApiPrefix
{
    public ApiPrefix(string prefix) => Value = prefix.TrimEnd('/');

    /// <summary>The prefix without a trailing slash (empty when mapped at the root).</summary>
    public string Value { get; }

    /// <summary>The absolute path of <paramref name="relative"/> (relative to the API's prefix) for this request's host.</summary>
    public static string LocationOf(HttpContext http, string relative)
    {
        var prefix = http.GetEndpoint()?.Metadata.GetMetadata<ApiPrefix>()?.Value ?? "";
        return $"{http.Request.PathBase}{prefix}/{relative.TrimStart('/')}";
    }
}
