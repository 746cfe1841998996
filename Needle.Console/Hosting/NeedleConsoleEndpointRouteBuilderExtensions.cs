using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Needle.Console.Hosting;
using Needle.Console.Serving;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Needle's operations console.</summary>
public static class NeedleConsoleEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the operations console (a single-page app embedded in this assembly) under <paramref name="prefix"/>.
    /// Only local requests are admitted until the host sets its own policy with <c>RequireAuthorization(...)</c> on the
    /// returned builder; the console calls the control-plane API, which applies its own access rules.
    /// </summary>
    /// <param name="endpoints">The host's endpoint route builder.</param>
    /// <param name="prefix">The path prefix. Default: <c>/needle</c>.</param>
    /// <returns>The route group, to add authorization or other conventions.</returns>
    /// <exception cref="InvalidOperationException">When <c>AddConsole</c> was not called.</exception>
    public static RouteGroupBuilder MapNeedleConsole(this IEndpointRouteBuilder endpoints, string prefix = "/needle")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (endpoints.ServiceProvider.GetService<NeedleConsoleMarkerService>() is null)
        {
            throw new InvalidOperationException(
                "Unable to find the Needle console services. Add them by calling 'builder.Services.AddNeedle(...).AddConsole()' before calling 'MapNeedleConsole'.");
        }

        return ConsoleEndpoints.Map(endpoints, prefix.TrimEnd('/'));
    }
}
