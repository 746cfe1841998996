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

    /// <param name="configure">Needle's options.</param>
    /// <param name="needle">More on Needle's builder (after <c>AddObservability</c>).</param>
    /// <param name="observability">Whether to add Needle.Observability at all.</param>
    /// <param name="directory">An existing folder for the store, to put several hosts (nodes) on one SQLite file; default: a new one.</param>
    /// <param name="nodeId">The node id; default: <c>test-node</c>.</param>
    public static async Task<TestHost> StartAsync(
        Action<NeedleOptions>? configure = null, Action<INeedleBuilder>? needle = null, bool observability = true, string? directory = null, string nodeId = "test-node") =>
        new(await LaunchAsync(new NeedleTestHostSettings
        {
            Purpose = "needle-obs-tests",
            Directory = directory,
            NodeId = nodeId,
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
