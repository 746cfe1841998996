using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Hosting;
using Needle.Store;

namespace Needle.Serving;

/// <summary>
/// Starts Needle with the host: applies the store's migrations, loads what the store says serves (a restarted host
/// serves exactly that, without redeploying), then polls the store's revision to pick up changes made elsewhere.
/// </summary>
internal sealed partial class ReconcilerService : BackgroundService
{
    private readonly INeedleStore _store;
    private readonly Reconciler _reconciler;
    private readonly NeedleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ReconcilerService> _logger;

    public ReconcilerService(INeedleStore store, Reconciler reconciler, IOptions<NeedleOptions> options, TimeProvider time, ILogger<ReconcilerService> logger)
    {
        _store = store;
        _reconciler = reconciler;
        _options = options.Value;
        _time = time;
        _logger = logger;
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
        using var timer = new PeriodicTimer(_options.PollInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var revision = await _store.GetRevisionAsync(stoppingToken).ConfigureAwait(false);
                _reconciler.ObserveStoreRevision(revision);
                if (revision != _reconciler.AppliedRevision)
                {
                    await _reconciler.ApplyFromStoreAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPollFailed(_logger, ex);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _reconciler.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.NodeStarted, Level = LogLevel.Information, Message = "Needle node {NodeId} serves revision {Revision} with {Count} functions.")]
    private static partial void LogStarted(ILogger logger, string nodeId, long revision, int count);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.StorePollFailed, Level = LogLevel.Warning, Message = "Could not check the store for changes; serving what was loaded.")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
