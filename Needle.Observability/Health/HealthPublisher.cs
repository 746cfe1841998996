using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Hosting;
using Needle.Observability.Hosting;
using Needle.Serving;
using Needle.Store;

namespace Needle.Observability.Health;

/// <summary>
/// Publishes this node's health windows to the store every <see cref="NeedleObservabilityOptions.HealthPublishInterval"/>
/// (the seconds completed since its last publication, per version that had calls) and then reads what the other live
/// nodes published into a <see cref="ClusterSnapshot"/>: those that published within Needle's <c>NodeGoneAfter</c>. It runs beside the requests: they only add to the in-memory rings.
/// </summary>
internal sealed partial class HealthPublisher : BackgroundService
{
    private readonly HealthWindows _windows;
    private readonly INeedleStore _store;
    private readonly INeedleServingState _serving;
    private readonly NeedleObservabilityOptions _options;
    private readonly TimeSpan _goneAfter;
    private readonly ILogger<HealthPublisher> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ClusterSnapshot _snapshot = ClusterSnapshot.Empty;
    private long _next;
    private bool _failing;

    public HealthPublisher(
        HealthWindows windows, INeedleStore store, INeedleServingState serving, IOptions<NeedleObservabilityOptions> options, IOptions<NeedleOptions> needle, ILogger<HealthPublisher> logger)
    {
        _goneAfter = needle.Value.NodeGoneAfter;
        _windows = windows;
        _store = store;
        _serving = serving;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The other nodes' figures as last read; <see cref="ClusterSnapshot.Empty"/> until the first read.</summary>
    public ClusterSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Publishes what was counted since the last publication and reads the cluster back. Never throws but for cancellation.</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var nodeId = _serving.NodeId;
            var now = _windows.NowSecond;
            var at = _windows.Time.GetUtcNow();
            var ring = TimeSpan.FromSeconds(_windows.RingSeconds);

            // Whole seconds only (the current one is still being counted), each published once: [from, now).
            var from = Math.Max(_next, now - _windows.RingSeconds);
            var slices = new List<HealthWindowRecord>();
            if (now > from)
            {
                foreach (var window in _windows.All)
                {
                    var sum = new WindowSum();
                    window.AddTo(sum, now - 1, (int)(now - from));
                    if (sum.Requests > 0)
                    {
                        slices.Add(new HealthWindowRecord(
                            nodeId, window.Function, window.Version, _windows.OriginUtc.AddSeconds(from), _windows.OriginUtc.AddSeconds(now),
                            sum.Requests, sum.Errors, sum.ColdStarts, LatencyText.Format(sum.Buckets)));
                    }
                }
            }

            await _store.PublishHealthAsync(new HealthPublication(nodeId, at, slices, at - ring - _goneAfter), cancellationToken).ConfigureAwait(false);
            _next = now;
            var published = await _store.ReadHealthAsync(at - ring, at - _goneAfter, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _snapshot, ClusterSnapshot.From(published, nodeId, at));
            _failing = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Once per outage at Warning: the store being away is reported by the health check, not every two seconds here.
            if (!_failing)
            {
                PublishFailed(_logger, ex);
            }

            _failing = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.PublishHealth)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.HealthPublishInterval, _windows.Time, stoppingToken).ConfigureAwait(false);
                await PublishAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.HealthPublishFailed, Level = LogLevel.Warning,
        Message = "Publishing the health windows to the store failed; the cluster's figures keep the other nodes' last ones until it works again")]
    private static partial void PublishFailed(ILogger logger, Exception exception);
}
