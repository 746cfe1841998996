using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Needle.Functions;
using Needle.Runtime.Downstream;

namespace Needle.Runtime;

/// <summary>Everything one invocation may use besides its request: the host's powers, cut down to what the function is allowed.</summary>
internal sealed class InvocationContext
{
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    public InvocationContext(
        FunctionVersion version,
        string requestId,
        ILogger logger,
        IDownstreamClient downstream,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        List<FunctionLogEntry>? capturedLogs = null)
    {
        Version = version;
        RequestId = requestId;
        Logger = logger;
        Downstream = downstream;
        Timeout = timeout;
        CancellationToken = cancellationToken;
        CapturedLogs = capturedLogs;
    }

    /// <summary>The version being invoked.</summary>
    public FunctionVersion Version { get; }

    /// <summary>The request id (<c>ctx.requestId</c>), the ASP.NET trace identifier.</summary>
    public string RequestId { get; }

    /// <summary>The host logger for function logs; a scope with function, version and request id is open around the call.</summary>
    public ILogger Logger { get; }

    /// <summary>Reaches the downstream services the function's manifest names.</summary>
    public IDownstreamClient Downstream { get; }

    /// <summary>The invocation's time budget.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Fires at the timeout or when the caller goes away.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>When set (test invocations), log lines are also collected here.</summary>
    public List<FunctionLogEntry>? CapturedLogs { get; }

    /// <summary>Time since the invocation started.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startedAt);

    /// <summary>What is left of the time budget (never negative).</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = Timeout - Elapsed;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Writes a function log line to the host log (and the capture list, if any).</summary>
    public void Log(string level, string message)
    {
        var logLevel = level switch
        {
            "error" => LogLevel.Error,
            "warn" => LogLevel.Warning,
            "debug" => LogLevel.Debug,
            _ => LogLevel.Information,
        };
        FunctionLog.Write(Logger, logLevel, Version.Function, Version.Number, RequestId, message);
        CapturedLogs?.Add(new FunctionLogEntry(level, message, Elapsed));
    }
}
