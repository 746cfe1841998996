using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Needle.Hosting;

namespace Needle.Nodes;

/// <summary>
/// This node's heartbeat: every <see cref="NeedleOptions.NodeHeartbeatInterval"/> it writes its row of the node table
/// (<see cref="NodeReporter"/>), so the others see it live. Off the request path; a failed beat is logged and the next
/// one tries again.
/// </summary>
internal sealed class NodeHeartbeatService : BackgroundService
{
    private readonly NodeReporter _reporter;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;

    public NodeHeartbeatService(NodeReporter reporter, IOptions<NeedleOptions> options, TimeProvider time)
    {
        _reporter = reporter;
        _interval = options.Value.NodeHeartbeatInterval;
        _time = time;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await _reporter.WriteAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
