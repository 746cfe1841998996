using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Hosting;
using Needle.Store;

namespace Needle.Serving;

/// <summary>
/// Records in the store's node table which revision this node serves (<c>GET /nodes</c>). For visibility only: a
/// change already serves when it is reported, so callers do not wait, and a failure is logged, never thrown.
/// </summary>
internal sealed partial class NodeReporter
{
    private readonly INeedleStore _store;
    private readonly string _nodeId;
    private readonly ILogger<NodeReporter> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _reported = -1;

    public NodeReporter(INeedleStore store, IOptions<NeedleOptions> options, ILogger<NodeReporter> logger)
    {
        _store = store;
        _nodeId = options.Value.NodeId;
        _logger = logger;
    }

    /// <summary>Reports <paramref name="revision"/> in the background; reports only ever move the recorded revision forward.</summary>
    public void Report(long revision) => _ = ReportAsync(revision);

    private async Task ReportAsync(long revision)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            // Reports may start out of order; only ever move the recorded revision forward.
            if (revision > _reported)
            {
                await _store.ReportNodeAsync(_nodeId, revision).ConfigureAwait(false);
                _reported = revision;
            }
        }
        catch (Exception ex)
        {
            LogReportFailed(_logger, ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.NodeReportFailed, Level = LogLevel.Warning, Message = "Could not record this node's revision in the store.")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);
}
