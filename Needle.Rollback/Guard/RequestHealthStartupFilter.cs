using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Needle.Rollback.Guard;

/// <summary>Puts <see cref="RequestHealthMiddleware"/> first in the pipeline, so it sees every function response without the host wiring it.</summary>
internal sealed class RequestHealthStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<RequestHealthMiddleware>();
        next(app);
    };
}
