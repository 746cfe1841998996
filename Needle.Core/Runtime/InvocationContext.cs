using System.Diagnostics;
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
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    // Mutable struct, never readonly: its counters change in place.
    private InvocationLogBudget _logBudget;
    private static readonly CancellationTokenSource Expired = new(0);
    private static readonly IReadOnlyDictionary<string, string> NoSecrets = new Dictionary<string, string>();
    private readonly HttpContext? _http;
    private CancellationTokenSource? _deadline;
    private CancellationTokenRegistration _abortedRegistration;
    private CancellationTokenSource? _fetchScope;
    private int _abandoned;
    private int _disposed;
    private int _fetchesInFlight;
    private string? _requestId;

    public InvocationContext(
        FunctionVersion version,
        string requestId,
        ILogger logger,
        IDownstreamClient downstream,
        ResolvedLimits limits,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        List<FunctionLogEntry>? capturedLogs = null,
        IReadOnlyDictionary<string, string>? secrets = null)
    {
        Secrets = secrets ?? NoSecrets;
        Version = version;
        Limits = limits;
        _logBudget = new InvocationLogBudget(limits);
        _requestId = requestId;
        Logger = logger;
        Downstream = downstream;
        Timeout = timeout;
        _cancellationToken = cancellationToken;
        CapturedLogs = capturedLogs;
    }

    private InvocationContext(FunctionVersion version, ILogger logger, IDownstreamClient downstream, TimeSpan timeout, ResolvedLimits limits, HttpContext http, IReadOnlyDictionary<string, string>? secrets)
        : this(version, null!, logger, downstream, limits, timeout, CancellationToken.None, null, secrets)
    {
        _http = http;
        HasDeadline = true;
    }

    /// <summary>
    /// A context whose token fires at the timeout of <paramref name="limits"/> from now or when the caller of <paramref name="http"/>
    /// goes away. The token's timer (and the request's abort token) are only made when something asks for the token,
    /// the request id (the trace identifier) when something asks for it.
    /// </summary>
    public static InvocationContext WithDeadline(FunctionVersion version, ILogger logger, IDownstreamClient downstream, ResolvedLimits limits, HttpContext http, IReadOnlyDictionary<string, string>? secrets = null) =>
        new(version, logger, downstream, limits.Timeout, limits, http, secrets);

    /// <summary>The version being invoked.</summary>
    public FunctionVersion Version { get; }

    /// <summary>The limits the loaded version runs with (resolved once, when it loaded).</summary>
    public ResolvedLimits Limits { get; }

    /// <summary>The request id (<c>ctx.requestId</c>), the ASP.NET trace identifier.</summary>
    public string RequestId => _requestId ??= (Volatile.Read(ref _disposed) == 0 ? _http?.TraceIdentifier : null) ?? "";

    /// <summary>The version's secrets by name (<c>ctx.secrets</c>), resolved from the host's configuration when it loaded.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; }

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

    /// <summary>
    /// The token if having it costs nothing: the caller's, or the deadline's once something made it; otherwise none.
    /// A runtime that bounds a call by the clock itself uses this for the part that runs before the call first waits.
    /// </summary>
    public CancellationToken CancellationTokenIfMade => HasDeadline ? Volatile.Read(ref _deadline)?.Token ?? default : _cancellationToken;

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

    /// <summary>
    /// Whether this invocation was a cold start: it created a JavaScript engine or was an engine's first call, or was a C# version's first call. Set by
    /// the runtime, handed to observers (<see cref="Telemetry.InvocationRecord.ColdStart"/>).
    /// </summary>
    public bool ColdStart { get; set; }

    /// <summary>Stops the deadline's timer, if one was made.</summary>
    public void Dispose()
    {
        if (_logBudget.TakeDroppedReport() is { } dropped)
        {
            Write(LogLevel.Warning, "warn", dropped);
        }

        // A full fence, paired with the one in TryStartFetch: a fetch either sees the end or is seen in flight here.
        Interlocked.Exchange(ref _disposed, 1);
        var fetching = Volatile.Read(ref _fetchesInFlight) > 0;
        if (Interlocked.Exchange(ref _fetchScope, null) is { } scope)
        {
            // Fetches of a call that ended (returned, threw, timed out) are not the caller's business any more.
            CancelQuietly(scope);
            scope.Dispose();
        }

        if (Interlocked.Exchange(ref _deadline, null) is { } deadline)
        {
            _abortedRegistration.Dispose();
            if (IsAbandoned || fetching)
            {
                // Abandoned work may still await on the token; its timer may not have run yet (a starved pool).
                deadline.Cancel();
            }

            deadline.Dispose();
        }
    }

    /// <summary>
    /// The token a downstream call runs under: it fires at the deadline, when the caller goes away, and when the
    /// invocation ends (<see cref="Dispose"/>) while the call is still in flight.
    /// </summary>
    public CancellationToken FetchCancellationToken => HasDeadline ? CancellationToken : (Volatile.Read(ref _fetchScope) ?? CreateFetchScope()).Token;

    /// <summary>
    /// Counts a downstream call in; <see langword="false"/> when <paramref name="limit"/> calls are already in flight or
    /// the invocation has ended. Each successful call is paired with <see cref="EndFetch"/>.
    /// </summary>
    public bool TryStartFetch(int limit, out bool ended)
    {
        var count = Interlocked.Increment(ref _fetchesInFlight);
        ended = Volatile.Read(ref _disposed) != 0;
        if (ended || count > limit)
        {
            Interlocked.Decrement(ref _fetchesInFlight);
            return false;
        }

        return true;
    }

    /// <summary>Counts a downstream call out.</summary>
    public void EndFetch() => Interlocked.Decrement(ref _fetchesInFlight);

    /// <summary>Downstream calls in flight now.</summary>
    public int FetchesInFlight => Volatile.Read(ref _fetchesInFlight);

    private CancellationTokenSource CreateFetchScope()
    {
        var created = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken);
        var existing = Interlocked.CompareExchange(ref _fetchScope, created, null);
        if (existing is not null)
        {
            created.Dispose();
            return existing;
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            created.Cancel();
        }

        return created;
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
        if (_logBudget.TryTake(ref message))
        {
            Write(FunctionLogText.LevelOf(level), level, message);
        }
    }

    private void Write(LogLevel logLevel, string level, string message)
    {
        FunctionLog.Write(Logger, logLevel, Version.Name, Version.Number, RequestId, message);
        CapturedLogs?.Add(new FunctionLogEntry(level, message, Elapsed));
    }
}
