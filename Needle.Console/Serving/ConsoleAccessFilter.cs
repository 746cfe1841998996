using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Needle.Console.Serving;

/// <summary>
/// Who may load the console: anyone the host's own authorization admits once it set a policy on the console
/// (<c>MapNeedleConsole(...).RequireAuthorization(...)</c>); otherwise local requests only, as Hangfire's dashboard does.
/// </summary>
internal sealed class ConsoleAccessFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HostAuthorizes(http) || IsLocal(http.Connection))
        {
            return await next(context).ConfigureAwait(false);
        }

        return TypedResults.Problem(
            title: "Forbidden",
            detail: "The Needle console accepts local requests only. Set an authorization policy with MapNeedleConsole(...).RequireAuthorization(...) to open it to other machines.",
            statusCode: StatusCodes.Status403Forbidden);
    }

    private static bool HostAuthorizes(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>() is not null;

    private static bool IsLocal(ConnectionInfo connection) =>
        connection.RemoteIpAddress is null
        || IPAddress.IsLoopback(connection.RemoteIpAddress)
        || connection.RemoteIpAddress.Equals(connection.LocalIpAddress);
}
