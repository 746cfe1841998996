using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Needle.Hosting;

namespace Needle.Observability.Tests.Infrastructure;

/// <summary>A real host (see <see cref="NeedleTestHost"/>) with Needle.Observability, /metrics and /healthz.</summary>
internal sealed class TestHost : NeedleTestHost
{
    private TestHost(StartedHost started)
        : base(started)
    {
    }

    public static async Task<TestHost> StartAsync(Action<NeedleOptions>? configure = null, Action<INeedleBuilder>? needle = null, bool observability = true) =>
        new(await LaunchAsync(new NeedleTestHostSettings
        {
            Purpose = "needle-obs-tests",
            Options = configure,
            Needle = (builder, _) =>
            {
                if (observability)
                {
                    builder.AddObservability();
                    builder.Services.AddHealthChecks().AddNeedle();
                }

                needle?.Invoke(builder);
            },
            Map = (app, _) =>
            {
                if (observability)
                {
                    app.MapPrometheusScrapingEndpoint();
                    app.MapHealthChecks("/healthz");
                }
            },
        }));
}
