using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Needle.Functions;
using Needle.Runtime.Downstream;

namespace Needle.Runtime;

/// <summary>Everything one invocation may use besides its request: the host's powers, cut down to what the function is allowed.</summary>
/// <remarks>
/// Created by the endpoint with a deadline (<c>WithDeadline</c>), the cancellation token is made on first use:
/// an invocation that completes without awaiting and never asks for its token costs no timer. Dispose it when the
/// invocation has ended.
/// </remarks>
internal sealed class InvocationContext : IDisposable
{
    private const int DefaultMaxLogLines = 200;
    private const long DefaultMaxLogBytes = 256 * 1024;
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private readonly int _maxLogLines;
    private readonly long _maxLogBytes;
    private int _logLinesLeft;
    private long _logBytesLeft;
    private int _logLinesDropped;
    private int _droppedReported;
    private static readonly CancellationTokenSource Expired = new(0);
    private readonly HttpContext? _http;
    private CancellationTokenSource? _deadline;
    private CancellationTokenRegistration _abortedRegistration;
    private int _abandoned;
    private int _disposed;
    private string? _requestId;

    public InvocationContext(
        FunctionVersion version,
        string requestId,
        ILogger logger,
        IDownstreamClient downstream,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        List<FunctionLogEntry>? capturedLogs = null,
        ResolvedLimits? limits = null)
    {
        Version = version;
        _logLinesLeft = _maxLogLines = limits?.MaxLogLines ?? DefaultMaxLogLines;
        _logBytesLeft = _maxLogBytes = limits?.MaxLogBytes ?? DefaultMaxLogBytes;
        _requestId = requestId;
        Logger = logger;
        Downstream = downstream;
        Timeout = timeout;
        _cancellationToken = cancellationToken;
        CapturedLogs = capturedLogs;
    }

    private InvocationContext(FunctionVersion version, ILogger logger, IDownstreamClient downstream, TimeSpan timeout, ResolvedLimits? limits, HttpContext http)
        : this(version, null!, logger, downstream, timeout, CancellationToken.None, limits: limits)
    {
        _http = http;
        HasDeadline = true;
    }

    /// <summary>
    /// A context whose token fires at the timeout of <paramref name="limits"/> from now or when the caller of <paramref name="http"/>
    /// goes away. The token's timer (and the request's abort token) are only made when something asks for the token,
    /// the request id (the trace identifier) when something asks for it.
    /// </summary>
    public static InvocationContext WithDeadline(FunctionVersion version, ILogger logger, IDownstreamClient downstream, ResolvedLimits limits, HttpContext http) =>
        new(version, logger, downstream, limits.Timeout, limits, http);

    /// <summary>A context with a deadline of <paramref name="timeout"/> and the default log limits.</summary>
    public static InvocationContext WithDeadline(FunctionVersion version, ILogger logger, IDownstreamClient downstream, TimeSpan timeout, HttpContext http) =>
        new(version, logger, downstream, timeout, null, http);

    /// <summary>The version being invoked.</summary>
    public FunctionVersion Version { get; }

    /// <summary>The request id (<c>ctx.requestId</c>), the ASP.NET trace identifier.</summary>
    public string RequestId => _requestId ??= (Volatile.Read(ref _disposed) == 0 ? _http?.TraceIdentifier : null) ?? "";

    /// <summary>The host logger for function logs; a scope with function, version and request id is open around the call.</summary>
    public ILogger Logger { get; }

    /// <summary>Reaches the downstream services the function's manifest names.</summary>
    public IDownstreamClient Downstream { get; }

    /// <summary>The invocation's time budget.</summary>
    public TimeSpan Timeout { get; }

    private readonly CancellationToken _cancellationToken;

    /// <summary>Whether the token is made here from the deadline (rather than given by the caller).</summary>
    private bool HasDeadline { get; }

    /// <summary>
    /// Whether the call comes from the function endpoint, whose watchdog answers a synchronous part that runs past the
    /// deadline; a runtime may then run the function inline. Other callers (test invocations) are not watched.
    /// </summary>
    public bool IsWatched => HasDeadline;

    /// <summary>Fires at the timeout or when the caller goes away.</summary>
    public CancellationToken CancellationToken => HasDeadline ? (Volatile.Read(ref _deadline) ?? CreateDeadline()).Token : _cancellationToken;

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

    /// <summary>
    /// Marks the invocation as answered at its limit while its work still runs. Returns <see langword="true"/> for the
    /// first caller only (the endpoint's watchdog and the runtime may both find it overdue), so it is counted once.
    /// </summary>
    public bool TryAbandon()
    {
        // The work goes on after the request ends, when its HttpContext may serve the next request: keep the id now.
        _requestId ??= _http?.TraceIdentifier;
        return Interlocked.Exchange(ref _abandoned, 1) == 0;
    }

    /// <summary>Whether the invocation has been answered without its work (<see cref="TryAbandon"/>).</summary>
    public bool IsAbandoned => Volatile.Read(ref _abandoned) != 0;

    /// <summary>Stops the deadline's timer, if one was made.</summary>
    public void Dispose()
    {
        if (Volatile.Read(ref _logLinesDropped) > 0 && Interlocked.Exchange(ref _droppedReported, 1) == 0)
        {
            WriteDroppedLine();
        }

        Volatile.Write(ref _disposed, 1);
        if (Interlocked.Exchange(ref _deadline, null) is { } deadline)
        {
            _abortedRegistration.Dispose();
            if (IsAbandoned)
            {
                // Abandoned work may still await on the token; its timer may not have run yet (a starved pool).
                deadline.Cancel();
            }

            deadline.Dispose();
        }
    }

    private CancellationTokenSource CreateDeadline()
    {
        var created = new CancellationTokenSource();
        var existing = Interlocked.CompareExchange(ref _deadline, created, null);
        if (existing is not null)
        {
            created.Dispose();
            return existing;
        }

        try
        {
            var remaining = Remaining;
            if (remaining <= TimeSpan.Zero || Volatile.Read(ref _disposed) != 0)
            {
                created.Cancel();
                return created;
            }

            // Read only now: once the request has ended its HttpContext may already serve the next one.
            var aborted = _http?.RequestAborted ?? default;

            created.CancelAfter(remaining);
            if (aborted.CanBeCanceled)
            {
                _abortedRegistration = aborted.UnsafeRegister(static state => CancelQuietly((CancellationTokenSource)state!), created);
                if (Volatile.Read(ref _disposed) != 0)
                {
                    // Disposed meanwhile: the request is over, do not stay registered on its (reusable) abort token.
                    _abortedRegistration.Dispose();
                }
            }

            return created;
        }
        catch (ObjectDisposedException)
        {
            // Disposed by the endpoint while abandoned work asked for its token: the invocation is over.
            return Expired;
        }
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The invocation ended as the caller went away.
        }
    }

    /// <summary>
    /// Writes a function log line to the host log (and the capture list, if any), control characters escaped so a
    /// function cannot forge host log lines. Past the call's line or byte limit the line is dropped and counted;
    /// <see cref="Dispose"/> writes one line saying how many were.
    /// </summary>
    public void Log(string level, string message)
    {
        // Lock-free: a C# function may log from several threads. Once a line is refused for its size, the bytes it
        // asked for stay counted, so the lines after it are dropped too: the budget is spent.
        if (Volatile.Read(ref _logLinesLeft) <= 0)
        {
            Interlocked.Increment(ref _logLinesDropped);
            return;
        }

        message = FunctionLogText.Escape(message);
        if (Interlocked.Decrement(ref _logLinesLeft) < 0 || Interlocked.Add(ref _logBytesLeft, -Encoding.UTF8.GetByteCount(message)) < 0)
        {
            Interlocked.Increment(ref _logLinesDropped);
            return;
        }

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

    private void WriteDroppedLine()
    {
        var message = string.Create(CultureInfo.InvariantCulture, $"{Volatile.Read(ref _logLinesDropped)} log line(s) dropped: over this call's limit of {_maxLogLines} lines or {_maxLogBytes / 1024} KB.");
        FunctionLog.Write(Logger, LogLevel.Warning, Version.Function, Version.Number, RequestId, message);
        CapturedLogs?.Add(new FunctionLogEntry("warn", message, Elapsed));
    }
}
