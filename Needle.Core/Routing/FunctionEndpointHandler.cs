using System.Diagnostics;
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
/// Runs one request against the version its function's slot names: reads the body within the limit, invokes under the
/// watchdog, and writes the response or a problem, recording the outcome once. This is the hot path: no store access,
/// no lock.
/// </summary>
internal sealed class FunctionEndpointHandler
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
    private readonly InvocationRecorder _recorder;
    private readonly InvocationWatchdog _watchdog;
    private readonly Func<InvocationWatchdog.StuckInvocation, Task> _answerStuck;

    public FunctionEndpointHandler(
        IOptions<NeedleOptions> options,
        IDownstreamClient downstream,
        FunctionSecrets secrets,
        ReleaseRouter router,
        ILoggerFactory loggerFactory,
        InvocationRecorder recorder,
        InvocationWatchdog watchdog,
        StuckInvocationAnswer stuck)
    {
        _options = options.Value;
        _downstream = downstream;
        _secrets = secrets;
        _router = router;
        _recorder = recorder;
        _watchdog = watchdog;
        _releaseHeaderName = _options.Releases.ReleaseHeaderName;
        _functionLogger = loggerFactory.CreateLogger("Needle.Functions");
        _answerStuck = stuck.Answer;
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
                await FallbackResponseWriter.WriteAsync(http, entry, fallback, _options).ConfigureAwait(false);
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
        if (RequestBodyReader.HasBody(httpRequest))
        {
            body = httpRequest.ContentLength > limits.MaxRequestBodyBytes
                ? null
                : await RequestBodyReader.ReadAsync(httpRequest.BodyReader, limits.MaxRequestBodyBytes, http.RequestAborted).ConfigureAwait(false);
            if (body is null)
            {
                await RequestBodyReader.WriteTooLargeAsync(http, limits.MaxRequestBodyBytes).ConfigureAwait(false);
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
        var section = _watchdog.Enter(
            started + (long)(limits.Timeout.TotalSeconds * Stopwatch.Frequency),
            new InvocationWatchdog.StuckInvocation(http, function, context, role, started, ExecutionContext.Capture()),
            _answerStuck);
        ValueTask<FunctionResponse> pending;
        try
        {
            pending = function.InvokeAsync(request, context);
        }
        catch (Exception ex)
        {
            pending = ValueTask.FromException<FunctionResponse>(ex);
        }

        if (section.Exit() is { } answered)
        {
            // The function ran past its limit without yielding and the watchdog has answered for it (and recorded it).
            StuckInvocationAnswer.DropLateResult(pending.AsTask());
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
            _recorder.Record(version, role, aborted ? InvocationOutcome.Aborted : InvocationOutcomes.From(ex.Failure), started, activity, ex, context.ColdStart, aborted ? 0 : InvocationProblems.Classify(ex).Status);
            if (aborted)
            {
                return;
            }

            _recorder.LogFailed(version, ex);
            await InvocationProblems.WriteAsync(http, version, ex, _options).ConfigureAwait(false);
            return;
        }

        _recorder.Record(version, role, InvocationOutcome.Success, started, activity, null, context.ColdStart, response.StatusCode);
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
}
