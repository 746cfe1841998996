using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Releases;
using Needle.Runtime;
using Needle.Runtime.Downstream;
using Needle.Serving;
using Needle.Telemetry;

namespace Needle.Routing;

/// <summary>
/// Runs one request against the version its function's slot names: reads the body within the limit, invokes,
/// and writes the response or a problem. This is the hot path: no store access, no lock.
/// </summary>
internal sealed partial class FunctionEndpointHandler
{
    private static readonly string[] RoleNames = ["stable", "canary", "pinned"];

    /// <summary>The policy every function response carries unless its manifest says <c>"sandbox": false</c>.</summary>
    public const string SandboxPolicy = "sandbox";

    private readonly NeedleOptions _options;
    private readonly IDownstreamClient _downstream;
    private readonly FunctionSecrets _secrets;
    private readonly ReleaseRouter _router;
    private readonly string _releaseHeaderName;
    private readonly ILogger _functionLogger;
    private readonly ILogger _logger;
    private readonly NeedleMetrics _metrics;
    private readonly IInvocationObserver[] _observers;
    private readonly Func<InvocationWatchdog.StuckInvocation, Task> _answerStuck;

    public FunctionEndpointHandler(
        IOptions<NeedleOptions> options,
        IDownstreamClient downstream,
        FunctionSecrets secrets,
        ReleaseRouter router,
        ILoggerFactory loggerFactory,
        NeedleMetrics metrics,
        IEnumerable<IInvocationObserver> observers)
    {
        _metrics = metrics;
        _observers = observers.ToArray();
        _options = options.Value;
        _downstream = downstream;
        _secrets = secrets;
        _router = router;
        _releaseHeaderName = _options.Releases.ReleaseHeaderName;
        _functionLogger = loggerFactory.CreateLogger("Needle.Functions");
        _logger = loggerFactory.CreateLogger<FunctionEndpointHandler>();
        _answerStuck = AnswerStuckAsync;
    }

    public async Task HandleAsync(HttpContext http, FunctionSlot slot)
    {
        ServedVersion served;
        ReleaseRole role;
        while (true)
        {
            var entry = slot.Current;
            if (entry is null)
            {
                http.Response.Headers.ContentSecurityPolicy = SandboxPolicy;
                await ProblemWriter.WriteAsync(http, StatusCodes.Status404NotFound, "Function not found", $"Function '{slot.Name}' is not deployed.").ConfigureAwait(false);
                return;
            }

            if (entry.Release.KillSwitch is { } fallback)
            {
                await WriteFallbackAsync(http, entry, fallback).ConfigureAwait(false);
                return;
            }

            (served, role) = _router.Choose(http, entry);
            if (served.TryEnter())
            {
                break;
            }
        }

        try
        {
            http.Response.Headers[_releaseHeaderName] = RoleNames[(int)role];
            await InvokeAsync(http, served.Function, role).ConfigureAwait(false);
        }
        finally
        {
            served.Exit();
        }
    }

    private async Task InvokeAsync(HttpContext http, ILoadedFunction function, ReleaseRole role)
    {
        var version = function.Version;
        var limits = function.Limits;
        var httpRequest = http.Request;
        http.Response.Headers[_options.VersionHeaderName] = version.Label;
        var sandboxed = version.Manifest.Sandbox is not false;
        if (sandboxed)
        {
            http.Response.Headers.ContentSecurityPolicy = SandboxPolicy;
        }

        string? body = null;
        if (httpRequest.ContentLength is > 0 || (httpRequest.ContentLength is null && httpRequest.Headers.TransferEncoding.Count > 0))
        {
            if (httpRequest.ContentLength > limits.MaxRequestBodyBytes)
            {
                await WriteTooLargeAsync(http, limits.MaxRequestBodyBytes).ConfigureAwait(false);
                return;
            }

            body = await ReadBodyAsync(httpRequest.BodyReader, limits.MaxRequestBodyBytes, http.RequestAborted).ConfigureAwait(false);
            if (body is null)
            {
                await WriteTooLargeAsync(http, limits.MaxRequestBodyBytes).ConfigureAwait(false);
                return;
            }
        }

        var request = new FunctionRequest
        {
            Method = httpRequest.Method,
            Path = httpRequest.Path.Value ?? "/",
            RouteValues = httpRequest.RouteValues,
            Query = httpRequest.Query,
            Headers = httpRequest.Headers,
            Body = body,
            ContentType = httpRequest.ContentType,
        };

        // The token's timer is made only if the function awaits or asks for it; the watchdog covers the part that runs
        // synchronously on this thread.
        using var context = InvocationContext.WithDeadline(version, _functionLogger, _downstream, limits, http, _secrets.For(version));

        // The span is current while the function runs, so its fetches become child spans and carry its trace context.
        using var activity = NeedleActivities.StartInvocation(version, role, http);
        var started = Stopwatch.GetTimestamp();
        var section = InvocationWatchdog.Enter(
            started + (long)(limits.Timeout.TotalSeconds * Stopwatch.Frequency),
            new InvocationWatchdog.StuckInvocation(http, function, context, role, started, ExecutionContext.Capture()),
            _answerStuck);
        Task<FunctionResponse> pending;
        try
        {
            pending = function.InvokeAsync(request, context);
        }
        catch (Exception ex)
        {
            pending = Task.FromException<FunctionResponse>(ex);
        }

        if (section.Exit() is { } answered)
        {
            // The function ran past its limit without yielding and the watchdog has answered for it: drop the late result.
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
            await answered.ConfigureAwait(false);
            if (activity is not null)
            {
                NeedleActivities.Finish(activity, InvocationOutcome.Timeout, "Answered at the limit by the watchdog.");
            }

            return;
        }

        FunctionResponse response;
        try
        {
            response = await pending.ConfigureAwait(false);
            CheckResponse(response, sandboxed);
        }
        catch (FunctionInvocationException ex)
        {
            var aborted = ex.Failure == InvocationFailure.Aborted || http.RequestAborted.IsCancellationRequested;
            Record(version, role, aborted ? InvocationOutcome.Aborted : InvocationOutcomes.From(ex.Failure), started, activity, ex, context.ColdStart, aborted ? 0 : InvocationProblems.Classify(ex).Status);
            if (aborted)
            {
                return;
            }

            LogInvocationFailed(_logger, version.Label, ex.Failure, ex.Message);
            await InvocationProblems.WriteAsync(http, version, ex, _options).ConfigureAwait(false);
            return;
        }

        Record(version, role, InvocationOutcome.Success, started, activity, null, context.ColdStart, response.StatusCode);
        await ResponseWriter.WriteAsync(http, response).ConfigureAwait(false);
    }

    private void CheckResponse(FunctionResponse response, bool sandboxed)
    {
        try
        {
            ResponseRules.Check(response, _options, sandboxed);
        }
        catch (FunctionInvocationException)
        {
            response.ReturnUtf8Buffer();
            throw;
        }
    }

    /// <summary>The watchdog's answer for a function whose synchronous part ran past its limit (on the watchdog's thread).</summary>
    private async Task AnswerStuckAsync(InvocationWatchdog.StuckInvocation stuck)
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

            Record(version, stuck.Role, InvocationOutcome.Timeout, stuck.Started, null, failure, stuck.Context.ColdStart, StatusCodes.Status504GatewayTimeout);
            LogInvocationFailed(_logger, version.Label, failure.Failure, failure.Message);

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

    private Task WriteFallbackAsync(HttpContext http, ServedRelease entry, FallbackResponse fallback)
    {
        var response = http.Response;
        response.Headers[_options.VersionHeaderName] = entry.Stable.Function.Version.Label;
        response.Headers[_releaseHeaderName] = "killed";
        response.Headers.ContentSecurityPolicy = SandboxPolicy;
        response.StatusCode = fallback.Status;
        foreach (var (name, value) in fallback.Headers ?? new Dictionary<string, string>())
        {
            // The API refuses such a fallback (400); one stored before that rule is served without the header.
            if (ResponseRules.CheckHeader(name, value, _options, sandboxed: true) is null)
            {
                response.Headers.Append(name, value);
            }
        }

        if (fallback.Body is null)
        {
            return Task.CompletedTask;
        }

        response.ContentType = fallback.ContentType ?? "application/json; charset=utf-8";
        return response.WriteAsync(fallback.Body, http.RequestAborted);
    }

    private void Record(FunctionVersion version, ReleaseRole role, InvocationOutcome outcome, long started, Activity? activity, FunctionInvocationException? failure, bool coldStart, int statusCode)
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

    private static Task WriteTooLargeAsync(HttpContext http, long limit) =>
        ProblemWriter.WriteAsync(
            http,
            StatusCodes.Status413PayloadTooLarge,
            "Request body too large",
            $"The request body is larger than the function's limit of {limit / 1024} KB.");

    /// <summary>Reads the whole body as UTF-8 text, or returns <see langword="null"/> as soon as it passes <paramref name="limit"/>.</summary>
    internal static async Task<string?> ReadBodyAsync(PipeReader reader, long limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                var text = buffer.IsSingleSegment ? Encoding.UTF8.GetString(buffer.FirstSpan) : Encoding.UTF8.GetString(buffer.ToArray());
                reader.AdvanceTo(buffer.End);
                return text;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Invocation of {Version} failed ({Failure}): {Detail}")]
    private static partial void LogInvocationFailed(ILogger logger, string version, InvocationFailure failure, string detail);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "The timeout answer for {Version}, whose function ran past its limit without yielding, could not be written.")]
    private static partial void LogWatchdogAnswerFailed(ILogger logger, string version, Exception exception);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Invocation observer {Observer} threw; the request was not affected.")]
    private static partial void LogObserverFailed(ILogger logger, string observer, Exception exception);
}
