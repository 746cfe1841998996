using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Needle.Access;
using Needle.Hosting;

namespace Needle.ControlPlane;

/// <summary>
/// Who may call the control plane: a request with the configured API key; any request the host's own
/// authorization admits once it set a policy on the API (<c>RequireAuthorization</c>); otherwise local requests only,
/// as <see cref="LocalRequestRule"/> judges them. State-changing requests a browser sends from another site are
/// refused first, whoever sends them.
/// </summary>
internal sealed class ApiAccessFilter : IEndpointFilter
{
    private readonly NeedleOptions _options;
    private readonly byte[]? _apiKey;
    private readonly LocalRequestRule _local;

    public ApiAccessFilter(IOptions<NeedleOptions> options, LocalRequestRule local)
    {
        _options = options.Value;
        _local = local;
        _apiKey = string.IsNullOrEmpty(_options.ApiKey) ? null : Encoding.UTF8.GetBytes(_options.ApiKey);
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (IsCrossSiteWrite(http.Request))
        {
            return TypedResults.Problem(
                title: "Cross-site request refused",
                detail: "The Needle control plane refuses state-changing requests that a browser sends from another site.",
                statusCode: StatusCodes.Status403Forbidden);
        }

        if (HasApiKey(http) || HostAuthorizes(http))
        {
            return await next(context).ConfigureAwait(false);
        }

        if (_local.Check(http) is not { } refusal)
        {
            return await next(context).ConfigureAwait(false);
        }

        return TypedResults.Problem(
            title: "Forbidden: not a local request",
            detail: $"The Needle control plane accepts local requests only, and this one is not: {refusal.Reason} (rule '{refusal.Rule}'). To open the API to other callers, send the API key (NeedleOptions.ApiKey) in '{_options.ApiKeyHeaderName}', or set an authorization policy with MapNeedleApi(...).RequireAuthorization(...).",
            statusCode: StatusCodes.Status403Forbidden,
            extensions: new Dictionary<string, object?> { ["rule"] = refusal.Rule });
    }

    /// <summary>The actor recorded for a change: the authenticated user, the API key, or the local caller.</summary>
    public string ActorOf(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name
        : HasApiKey(http) ? "api-key"
        : "local";

    /// <summary>
    /// Cross-site request forgery: a page on another site can make the operator's browser send a form POST (no
    /// preflight) to a local or signed-in control plane. Browsers say where a request comes from (Sec-Fetch-Site,
    /// Origin); scripts and curl send neither and are unaffected. Reads are not state-changing and stay open.
    /// </summary>
    internal static bool IsCrossSiteWrite(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return false;
        }

        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is not ("same-origin" or "none");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return false;
        }

        return !Uri.TryCreate(origin, UriKind.Absolute, out var originUri)
            || !string.Equals(originUri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

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
}
