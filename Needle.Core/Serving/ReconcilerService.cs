using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Hosting;
using Needle.Store;

namespace Needle.Serving;

/// <summary>
/// Starts Needle with the host: applies the store's migrations, loads what the store says serves (a restarted host
/// serves exactly that, without redeploying), then picks up changes made elsewhere: when the store announces them
/// (<see cref="StoreChangeSignal"/>, PostgreSQL's notifications) and, as the fallback, by polling the store's revision.
/// </summary>
internal sealed partial class ReconcilerService : BackgroundService
{
    private readonly INeedleStore _store;
    private readonly Reconciler _reconciler;
    private readonly NeedleOptions _options;
    private readonly TimeProvider _time;
    private readonly StoreChangeSignal _signal;
    private readonly ILogger<ReconcilerService> _logger;

    public ReconcilerService(
        INeedleStore store,
        Reconciler reconciler,
        IOptions<NeedleOptions> options,
        TimeProvider time,
        StoreChangeSignal signal,
        StoreAvailability availability,
        ILogger<ReconcilerService> logger)
    {
        _store = store;
        _reconciler = reconciler;
        _options = options.Value;
        _time = time;
        _signal = signal;
        _logger = logger;
        availability.Changed += OnAvailabilityChanged;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Serving starts with the host: the first request must find the functions the store names.
        await _store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var revision = await _reconciler.ApplyFromStoreAsync(cancellationToken).ConfigureAwait(false);
        LogStarted(_logger, _options.NodeId, revision, _reconciler.Current.Count);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Two wake-ups: the poll (the only one on SQLite, the fallback on PostgreSQL) and the change signal (a
        // notification from another node, or a resync after the listener reconnected). Each pending wait is kept
        // across turns, so neither piles up waiters.
        using var timer = new PeriodicTimer(_options.PollInterval, _time);
        Task<bool>? tick = null;
        Task? signal = null;
        while (true)
        {
            tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
            signal ??= _signal.WaitAsync(stoppingToken);
            var signalled = await Task.WhenAny(tick, signal).ConfigureAwait(false) == signal;
            if (signalled)
            {
                await signal.ConfigureAwait(false);
                signal = null;
            }
            else
            {
                if (!await tick.ConfigureAwait(false))
                {
                    return;
                }

                tick = null;
            }

            try
            {
                await CatchUpAsync(signalled, stoppingToken).ConfigureAwait(false);
            }
            catch (NeedleStoreUnavailableException ex)
            {
                // Logged once when the outage began (StoreUnavailable); each failed poll meanwhile is Debug.
                LogPollFailedWhileUnavailable(_logger, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPollFailed(_logger, ex);
            }
        }
    }

    private async Task CatchUpAsync(bool signalled, CancellationToken cancellationToken)
    {
        if (_signal.TakeResync())
        {
            // Notifications sent while the listener was away are lost: read everything once.
            await _reconciler.ApplyFromStoreAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (signalled)
        {
            var announced = _signal.Announced;
            if (announced <= _reconciler.AppliedRevision)
            {
                // This node's own change (already applied), or one an earlier read caught.
                return;
            }

            _reconciler.ObserveStoreRevision(announced);
            await _reconciler.ApplyFromStoreAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var revision = await _store.GetRevisionAsync(cancellationToken).ConfigureAwait(false);
        _reconciler.ObserveStoreRevision(revision);
        if (revision != _reconciler.AppliedRevision)
        {
            await _reconciler.ApplyFromStoreAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _reconciler.DisposeAsync().ConfigureAwait(false);
    }

    private void OnAvailabilityChanged(Exception? error)
    {
        if (error is not null)
        {
            LogStoreUnavailable(_logger, _options.NodeId, _reconciler.AppliedRevision, error);
            return;
        }

        // Changes committed while this node could not read them were announced to nobody here: read everything once.
        LogStoreAvailableAgain(_logger, _options.NodeId);
        _signal.RequestResync();
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.NodeStarted, Level = LogLevel.Information, Message = "Needle node {NodeId} serves revision {Revision} with {Count} functions.")]
    private static partial void LogStarted(ILogger logger, string nodeId, long revision, int count);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.StorePollFailed, Level = LogLevel.Warning, Message = "Could not check the store for changes; serving what was loaded.")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.StorePollFailedWhileUnavailable, Level = LogLevel.Debug, Message = "Could not check the store for changes: {Reason}")]
    private static partial void LogPollFailedWhileUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.StoreUnavailable, Level = LogLevel.Warning, Message = "The Needle store cannot be reached; node {NodeId} keeps serving revision {Revision} and the control plane answers 503 until it returns.")]
    private static partial void LogStoreUnavailable(ILogger logger, string nodeId, long revision, Exception exception);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.StoreAvailableAgain, Level = LogLevel.Information, Message = "The Needle store answers again; node {NodeId} reads the whole store once.")]
    private static partial void LogStoreAvailableAgain(ILogger logger, string nodeId);
}
