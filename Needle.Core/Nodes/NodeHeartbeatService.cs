using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Needle.Hosting;

namespace Needle.Nodes;

/// <summary>
/// This node's heartbeat: every <see cref="NeedleOptions.NodeHeartbeatInterval"/> it writes its row of the node table
/// (<see cref="NodeReporter"/>), so the others see it live. Off the request path; a failed beat is logged and the next
/// one tries again. Every <see cref="NeedleOptions.NodeGoneAfter"/> it also deletes the rows of nodes gone longer than
/// <see cref="NeedleOptions.NodeForgetAfter"/> (every node does; the delete is idempotent). A clean stop deletes this
/// node's own row (<see cref="NodeReporter.LeaveAsync"/>), bounded by the host's shutdown and two seconds.
/// </summary>
internal sealed class NodeHeartbeatService : BackgroundService
{
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(2);

    private readonly NodeReporter _reporter;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _forgetEvery;
    private readonly TimeProvider _time;

    public NodeHeartbeatService(NodeReporter reporter, IOptions<NeedleOptions> options, TimeProvider time)
    {
        _reporter = reporter;
        _interval = options.Value.NodeHeartbeatInterval;
        _forgetEvery = options.Value.NodeGoneAfter;
        _time = time;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(LeaveTimeout);
        await _reporter.LeaveAsync(bounded.Token).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        var forgetAt = _time.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await _reporter.WriteAsync(stoppingToken).ConfigureAwait(false);
                if (_time.GetUtcNow() >= forgetAt)
                {
                    forgetAt = _time.GetUtcNow() + _forgetEvery;
                    await _reporter.ForgetGoneNodesAsync(stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
