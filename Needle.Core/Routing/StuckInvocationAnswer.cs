using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Hosting;
using Needle.Runtime;
using Needle.Telemetry;

namespace Needle.Routing;

/// <summary>
/// Supervision of an invocation whose synchronous part ran past its limit: the watchdog's answer for it (504, on the
/// watchdog's thread), and the late result dropped when the function finally returns.
/// </summary>
internal sealed partial class StuckInvocationAnswer
{
    private readonly NeedleOptions _options;
    private readonly InvocationRecorder _recorder;
    private readonly ILogger _logger;

    public StuckInvocationAnswer(IOptions<NeedleOptions> options, InvocationRecorder recorder, ILogger<FunctionEndpointHandler> logger)
    {
        _options = options.Value;
        _recorder = recorder;
        _logger = logger;
        Answer = AnswerAsync;
    }

    /// <summary>The answer handed to <see cref="InvocationWatchdog.Enter"/>, made once.</summary>
    public Func<InvocationWatchdog.StuckInvocation, Task> Answer { get; }

    /// <summary>Lets a result the watchdog already answered for go: its pooled buffer back, its exception observed.</summary>
    public static void DropLateResult(Task<FunctionResponse> pending) =>
        _ = pending.ContinueWith(
            static t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    t.Result.ReturnUtf8Buffer();
                }
                else
                {
                    _ = t.Exception;
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private async Task AnswerAsync(InvocationWatchdog.StuckInvocation stuck)
    {
        var version = stuck.Function.Version;
        try
        {
            var failure = new FunctionInvocationException(
                InvocationFailure.Timeout,
                $"Function '{version.Name}' did not finish within {stuck.Function.Limits.Timeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms.");
            if (stuck.Context.TryAbandon())
            {
                stuck.Function.OnAbandoned(stuck.Context);
            }

            _recorder.Record(version, stuck.Role, InvocationOutcome.Timeout, stuck.Started, null, failure, stuck.Context.ColdStart, StatusCodes.Status504GatewayTimeout);
            _recorder.LogFailed(version, failure);

            // This connection stays busy until the function returns (HTTP/1.1 serves one request at a time), so the
            // caller must not send its next request on it.
            stuck.Http.Response.Headers.Connection = "close";
            await InvocationProblems.WriteAsync(stuck.Http, version, failure, _options).ConfigureAwait(false);
            await stuck.Http.Response.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The caller may have gone; the request's thread still waits for this answer, so never throw.
            LogWatchdogAnswerFailed(_logger, version.Label, ex);
        }
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.WatchdogAnswerFailed, Level = LogLevel.Warning, Message = "The timeout answer for {Version}, whose function ran past its limit without yielding, could not be written.")]
    private static partial void LogWatchdogAnswerFailed(ILogger logger, string version, Exception exception);
}
