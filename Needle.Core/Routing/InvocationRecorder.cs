using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Needle.Functions;
using Needle.Releases;
using Needle.Runtime;
using Needle.Telemetry;

namespace Needle.Routing;

/// <summary>
/// The telemetry of one finished invocation, fanned out once: the metrics, the invocation's span, and every
/// <see cref="IInvocationObserver"/>. The endpoint's answer and the watchdog's answer both record through here.
/// </summary>
internal sealed partial class InvocationRecorder
{
    private readonly NeedleMetrics _metrics;
    private readonly IInvocationObserver[] _observers;
    private readonly ILogger _logger;

    public InvocationRecorder(NeedleMetrics metrics, IEnumerable<IInvocationObserver> observers, ILogger<FunctionEndpointHandler> logger)
    {
        _metrics = metrics;
        _observers = observers.ToArray();
        _logger = logger;
    }

    /// <summary>
    /// Records an invocation that started at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) and ended
    /// now with <paramref name="outcome"/>; finishes <paramref name="activity"/> when there is one.
    /// </summary>
    public void Record(FunctionVersion version, ReleaseRole role, InvocationOutcome outcome, long started, Activity? activity, FunctionInvocationException? failure, bool coldStart, int statusCode)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        _metrics.RecordInvocation(version, role, outcome, elapsed.TotalSeconds, failure?.Limit);
        if (activity is not null)
        {
            NeedleActivities.Finish(activity, outcome, failure?.Message);
        }

        if (_observers.Length == 0)
        {
            return;
        }

        var record = new InvocationRecord(version.Name, version.Number, role, outcome, elapsed, failure?.Message, failure?.Limit, coldStart, statusCode);
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnInvocation(in record);
            }
            catch (Exception ex)
            {
                // Watching must never fail a request that already has its answer.
                LogObserverFailed(_logger, observer.GetType().Name, ex);
            }
        }
    }

    /// <summary>Logs an invocation that failed and is answered with a problem.</summary>
    public void LogFailed(FunctionVersion version, FunctionInvocationException failure) =>
        LogInvocationFailed(_logger, version.Label, failure.Failure, failure.Message);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.InvocationFailed, Level = LogLevel.Warning, Message = "Invocation of {Version} failed ({Failure}): {Detail}")]
    private static partial void LogInvocationFailed(ILogger logger, string version, InvocationFailure failure, string detail);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.ObserverFailed, Level = LogLevel.Warning, Message = "Invocation observer {Observer} threw; the request was not affected.")]
    private static partial void LogObserverFailed(ILogger logger, string observer, Exception exception);
}
