using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Hosting;
using Needle.Serving;
using Needle.Store;

namespace Needle.Nodes;

/// <summary>
/// Writes this node's row of the node table (<c>GET /nodes</c>): the revision it serves and the versions of each
/// function, at every applied revision (<see cref="Report"/>, in the background) and as its heartbeat
/// (<see cref="NodeHeartbeatService"/>). For visibility only, and never on the request path: a change already serves
/// when it is reported, so nothing waits for it, and a failure is logged, never thrown.
/// </summary>
internal sealed partial class NodeReporter
{
    private readonly INeedleStore _store;
    private readonly string _nodeId;
    private readonly ILogger<NodeReporter> _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _forgetAfter;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ServingSnapshot? _latest;

    // Under the gate: the last snapshot formatted, and whether the last write failed (one warning per outage).
    private ServingSnapshot? _formattedFor;
    private string _formatted = "";
    private bool _failing;
    private bool _left;

    // Under the gate: beats that found the row last written by another process, counted over NodeGoneAfter.
    private readonly TimeSpan _goneAfter;
    private int _foreignBeats;
    private DateTimeOffset _firstForeignAt;
    private DateTimeOffset _lastForeignAt;
    private volatile string? _conflict;

    public NodeReporter(INeedleStore store, IOptions<NeedleOptions> options, TimeProvider time, ILogger<NodeReporter> logger)
    {
        _store = store;
        _nodeId = options.Value.NodeId;
        _forgetAfter = options.Value.NodeForgetAfter;
        _goneAfter = options.Value.NodeGoneAfter;
        _time = time;
        _logger = logger;
    }

    /// <summary>This process's own random id, written with each heartbeat (see <see cref="NodeIdConflict"/>).</summary>
    public string Instance { get; } = Guid.NewGuid().ToString("n");

    /// <summary>
    /// Another process's instance when two heartbeats within <see cref="NeedleOptions.NodeGoneAfter"/> found this node's
    /// row last written by another process: two processes share this node id (their heartbeats, health windows and
    /// convergence then mix up). One such beat is a restart with a fixed node id (the previous process's row), so it
    /// takes two. Null again once no other writer was seen for <see cref="NeedleOptions.NodeGoneAfter"/>.
    /// </summary>
    public string? NodeIdConflict => _conflict;

    /// <summary>Records that <paramref name="snapshot"/> serves now, and writes it to the store in the background.</summary>
    public void Report(ServingSnapshot snapshot)
    {
        Volatile.Write(ref _latest, snapshot);
        _ = WriteAsync(CancellationToken.None);
    }

    /// <summary>
    /// Writes the newest reported snapshot as this node's heartbeat; nothing before the first apply. Never throws but
    /// for <paramref name="cancellationToken"/>'s cancellation.
    /// </summary>
    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Read under the gate: writes may start out of order, but each carries the newest snapshot, so the recorded
            // revision only ever moves forward.
            if (_left || Volatile.Read(ref _latest) is not { Revision: >= 0 } snapshot)
            {
                return;
            }

            if (!ReferenceEquals(snapshot, _formattedFor))
            {
                _formatted = NodeServing.Format(snapshot);
                _formattedFor = snapshot;
            }

            var previous = await _store.HeartbeatNodeAsync(_nodeId, snapshot.Revision, _formatted, Instance, cancellationToken).ConfigureAwait(false);
            ObserveWriter(previous);
            if (_failing)
            {
                _failing = false;
                LogReportRecovered(_logger, _nodeId);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The first failure of a run warns; the rest of an outage would repeat it every heartbeat.
            LogReportFailed(_logger, _failing ? LogLevel.Debug : LogLevel.Warning, ex);
            _failing = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Under the gate, after each beat: who wrote the row before it.
    private void ObserveWriter(string? previous)
    {
        var now = _time.GetUtcNow();
        if (previous is not null && previous != Instance)
        {
            if (_foreignBeats == 0 || now - _firstForeignAt > _goneAfter)
            {
                (_foreignBeats, _firstForeignAt) = (0, now);
            }

            _lastForeignAt = now;
            if (++_foreignBeats >= 2 && _conflict is null)
            {
                _conflict = previous;
                LogNodeIdShared(_logger, _nodeId, Instance, previous);
            }

            return;
        }

        if (_conflict is not null && now - _lastForeignAt > _goneAfter)
        {
            (_conflict, _foreignBeats) = (null, 0);
            LogNodeIdNoLongerShared(_logger, _nodeId);
        }
    }

    /// <summary>
    /// This node stops cleanly: its row leaves the node table at once (a late report of an applied revision no longer
    /// writes it back), so <c>GET /nodes</c> and <c>deploy --wait</c> stop counting it now, not after
    /// <see cref="NeedleOptions.NodeGoneAfter"/>. Never throws: a node that cannot reach the store turns gone as a
    /// crashed one does.
    /// </summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            _left = true;
            if (await _store.ForgetNodeAsync(_nodeId, cancellationToken).ConfigureAwait(false))
            {
                LogLeft(_logger, _nodeId);
            }
        }
        catch (Exception ex)
        {
            LogReportFailed(_logger, LogLevel.Debug, ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Deletes the rows of nodes without a report for <see cref="NeedleOptions.NodeForgetAfter"/>. Never throws but for
    /// <paramref name="cancellationToken"/>'s cancellation; a failure is logged at Debug (the heartbeat warns of the store).
    /// </summary>
    public async Task ForgetGoneNodesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var forgotten = await _store.ForgetNodesAsync(_time.GetUtcNow() - _forgetAfter, cancellationToken).ConfigureAwait(false);
            if (forgotten > 0)
            {
                LogNodesForgotten(_logger, forgotten, _forgetAfter);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogReportFailed(_logger, LogLevel.Debug, ex);
        }
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.NodesForgotten, Level = LogLevel.Information, Message = "Deleted {Count} node(s) without a heartbeat for {ForgetAfter} from the node table.")]
    private static partial void LogNodesForgotten(ILogger logger, int count, TimeSpan forgetAfter);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.NodeReportFailed, Message = "Could not record this node's revision and heartbeat in the store; the next heartbeat tries again.")]
    private static partial void LogReportFailed(ILogger logger, LogLevel level, Exception exception);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.NodeIdShared, Level = LogLevel.Error, Message = "Another process uses node id {NodeId} too (this process is instance {Instance}, the other {Other}): their heartbeats, health windows and convergence mix up. Give each process its own Needle:NodeId, or leave it unset for the default {{machine}}-{{pid}}.")]
    private static partial void LogNodeIdShared(ILogger logger, string nodeId, string instance, string other);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.NodeIdNoLongerShared, Level = LogLevel.Information, Message = "Node id {NodeId} is this process's alone again.")]
    private static partial void LogNodeIdNoLongerShared(ILogger logger, string nodeId);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.NodeLeft, Level = LogLevel.Information, Message = "Needle node {NodeId} stops: it left the node table.")]
    private static partial void LogLeft(ILogger logger, string nodeId);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.NodeReportRecovered, Level = LogLevel.Information, Message = "Needle node {NodeId} records its heartbeat in the store again.")]
    private static partial void LogReportRecovered(ILogger logger, string nodeId);
}
