using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Needle.Cli.Tests.Infrastructure;

/// <summary>Makes every request's remote address 203.0.113.7 (TEST-NET-3) before the host's pipeline, so it is not local.</summary>
internal sealed class RemoteCallerStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
            return nextMiddleware(context);
        });
        next(app);
    };
}
