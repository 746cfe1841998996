using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Needle.Access;

namespace Needle.Console.Serving;

/// <summary>
/// Who may load the console: anyone the host's own authorization admits once it set a policy on the console
/// (<c>MapNeedleConsole(...).RequireAuthorization(...)</c>); otherwise local requests only, judged by the same rule as
/// the control-plane API (<see cref="LocalRequestRule"/>).
/// </summary>
internal sealed class ConsoleAccessFilter(LocalRequestRule local) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HostAuthorizes(http) || local.Check(http) is not { } refusal)
        {
            return await next(context).ConfigureAwait(false);
        }

        return TypedResults.Problem(
            title: "Forbidden: not a local request",
            detail: $"The Needle console accepts local requests only, and this one is not: {refusal.Reason} (rule '{refusal.Rule}'). Set an authorization policy with MapNeedleConsole(...).RequireAuthorization(...) to open it to other machines (the console calls the API, which then needs MapNeedleApi(...).RequireAuthorization(...) too).",
            statusCode: StatusCodes.Status403Forbidden,
            extensions: new Dictionary<string, object?> { ["rule"] = refusal.Rule });
    }

    private static bool HostAuthorizes(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>() is not null;
}
