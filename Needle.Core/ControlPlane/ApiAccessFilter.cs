using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Needle.Hosting;
using Needle.Routing;

namespace Needle.ControlPlane;

/// <summary>
/// Who may call the control plane: a request with the configured API key; any request the host's own
/// authorization admits once it set a policy on the API (<c>RequireAuthorization</c>); otherwise local requests only.
/// </summary>
internal sealed class ApiAccessFilter : IEndpointFilter
{
    private readonly NeedleOptions _options;
    private readonly byte[]? _apiKey;

    public ApiAccessFilter(IOptions<NeedleOptions> options)
    {
        _options = options.Value;
        _apiKey = string.IsNullOrEmpty(_options.ApiKey) ? null : Encoding.UTF8.GetBytes(_options.ApiKey);
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HasApiKey(http) || HostAuthorizes(http) || IsLocal(http.Connection))
        {
            return await next(context).ConfigureAwait(false);
        }

        await ProblemWriter.WriteAsync(
            http,
            StatusCodes.Status403Forbidden,
            "Forbidden",
            $"The Needle control plane accepts local requests only. Send the API key in '{_options.ApiKeyHeaderName}', or set an authorization policy with MapNeedleApi(...).RequireAuthorization(...).").ConfigureAwait(false);
        return null;
    }

    /// <summary>The actor recorded for a change: the authenticated user, the API key, or the local caller.</summary>
    public string ActorOf(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name
        : HasApiKey(http) ? "api-key"
        : "local";

    private bool HasApiKey(HttpContext http)
    {
        if (_apiKey is null || !http.Request.Headers.TryGetValue(_options.ApiKeyHeaderName, out var given) || given.Count != 1)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given.ToString()), _apiKey);
    }

    private static bool HostAuthorizes(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>() is not null;

    private static bool IsLocal(ConnectionInfo connection) =>
        connection.RemoteIpAddress is null
        || IPAddress.IsLoopback(connection.RemoteIpAddress)
        || connection.RemoteIpAddress.Equals(connection.LocalIpAddress);
}
