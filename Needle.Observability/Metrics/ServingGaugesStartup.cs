using Microsoft.Extensions.Hosting;

namespace Needle.Observability.Metrics;

/// <summary>Creates the gauges with the host, so the first scrape already has them.</summary>
internal sealed class ServingGaugesStartup : IHostedService
{
    // The gauges live as long as their meter; holding them here only forces their creation.
    public ServingGaugesStartup(ServingGauges gauges) => _ = gauges;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
