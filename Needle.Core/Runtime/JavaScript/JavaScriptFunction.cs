using System.Diagnostics;
using Jint;
using Microsoft.Extensions.Logging;
using Needle.Functions;
using Needle.Telemetry;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// A loaded JavaScript version: the module parsed once, and a pool of engines built from it (up to
/// <see cref="ResolvedLimits.MaxConcurrency"/>), each serving one call at a time.
/// </summary>
/// <remarks>
/// Module-level state lives as long as the engine that holds it, as in a Node process: a top-level counter
/// persists across the calls one engine serves, but every engine has its own, and an engine is replaced after a
/// timeout or a limit breach. Functions must not rely on it for anything but caches.
/// </remarks>
internal sealed class JavaScriptFunction : ILoadedFunction
{
    private readonly Prepared<Acornima.Ast.Module> _module;
    private readonly JavaScriptEnginePool _pool;
    private readonly ILogger _logger;
    private readonly NeedleMetrics? _metrics;
    private readonly JavaScriptMemoryBudget _budget;
    private readonly int _maxCallsPerEngine;
    private readonly TimeSpan _queueTimeout;

    // What the engine made at load held: the reservation a cold start makes against the host ceiling before it builds.
    private long _engineBytes;

    public JavaScriptFunction(
        FunctionVersion version,
        ResolvedLimits limits,
        Prepared<Acornima.Ast.Module> module,
        TimeSpan queueTimeout,
        ILogger logger,
        JavaScriptMemoryBudget budget,
        int maxCallsPerEngine,
        NeedleMetrics? metrics = null)
    {
        _metrics = metrics;
        _budget = budget;
        _maxCallsPerEngine = maxCallsPerEngine;
        _queueTimeout = queueTimeout;
        Version = version;
        Limits = limits;
        _module = module;
        _logger = logger;
        _pool = new JavaScriptEnginePool(limits.MaxConcurrency, queueTimeout, budget);
    }

    /// <inheritdoc />
    public FunctionVersion Version { get; }

    /// <inheritdoc />
    public ResolvedLimits Limits { get; }

    /// <summary>The engines alive now (for tests and diagnostics).</summary>
    internal int EngineCount => _pool.Count;

    /// <summary>
    /// Creates the first engine, which checks that the module evaluates and exports a handler, and keeps it.
    /// Throws <see cref="FunctionValidationException"/> otherwise.
    /// </summary>
    public void Initialize(CancellationToken cancellationToken)
    {
        JavaScriptEngine engine;
        try
        {
            engine = CreateEngine(cancellationToken, coldStart: false, reserved: 0);
            _engineBytes = engine.HeldBytes;
        }
        catch (FunctionValidationException)
        {
            throw;
        }
        catch (Jint.Runtime.JavaScriptException ex)
        {
            throw new FunctionValidationException($"The module threw while loading: {ex.Message}", ex.Location.Start.Line, ex.Location.Start.Column + 1);
        }
        catch (Exception ex) when (ex is Jint.JintException or TimeoutException or InvalidOperationException)
        {
            throw new FunctionValidationException($"The module could not be loaded: {ex.Message}");
        }

        _pool.Add(engine);
    }

    /// <inheritdoc />
    public async ValueTask<FunctionResponse> InvokeAsync(FunctionRequest request, InvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);

        var engine = await AcquireAsync(context).ConfigureAwait(false);
        if (!engine.Served)
        {
            engine.Served = true;
            if (!context.ColdStart)
            {
                // The engine made at load serves its first call: no creation to count, but the same warm-up.
                context.ColdStart = true;
                Activity.Current?.SetTag(NeedleMetricNames.ColdStartTag, true);
                _metrics?.RecordColdStart(Version);
            }
        }

        var heldBefore = engine.HeldBytes;
        try
        {
            var response = await engine.InvokeAsync(request, context).ConfigureAwait(false);
            ReturnOrRecycle(engine, heldBefore);
            return response;
        }
        catch (Exception ex)
        {
            _budget.Add(engine.HeldBytes - heldBefore);
            var failure = JavaScriptErrors.Translate(ex, context, out var keepEngine);
            if (keepEngine)
            {
                ReturnOrRecycle(engine, engine.HeldBytes);
            }
            else
            {
                _pool.Discard(engine);
                JavaScriptLog.EngineDiscarded(_logger, Version.Name, Version.Number, failure.Failure, ex);
            }

            throw failure;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _pool.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Gives an engine back after a call, or recycles it: past the function's memory limit in what it holds (module
    /// state kept between calls counts), past the calls an engine may serve, or when the host's engines hold more
    /// than the host-wide ceiling (then idle engines go too).
    /// </summary>
    private void ReturnOrRecycle(JavaScriptEngine engine, long heldBefore)
    {
        _budget.Add(engine.HeldBytes - heldBefore);
        var overLimit = Limits.MemoryBytes > 0 && engine.HeldBytes > Limits.MemoryBytes;
        if (!overLimit && (_maxCallsPerEngine <= 0 || engine.Calls < _maxCallsPerEngine) && !_budget.IsOver)
        {
            _pool.Return(engine);
            return;
        }

        _pool.Discard(engine);
        JavaScriptLog.EngineRecycled(_logger, Version.Name, Version.Number, engine.Calls, engine.HeldBytes >> 20);
        if (_budget.IsOver)
        {
            _budget.Relieve();
        }
    }

    private async ValueTask<JavaScriptEngine> AcquireAsync(InvocationContext context)
    {
        JavaScriptEngine? engine;
        try
        {
            // The token (a timer, for the endpoint's calls) is asked for only when the call has to queue.
            if (!_pool.TryTake(out engine))
            {
                engine = await _pool.AcquireAsync(context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (TimeoutException ex)
        {
            throw new FunctionInvocationException(
                InvocationFailure.Overloaded,
                $"Function '{Version.Name}' is at its concurrency limit ({_pool.Maximum}); try again shortly.",
                innerException: ex);
        }
        catch (OperationCanceledException ex)
        {
            throw JavaScriptErrors.Canceled(context, ex);
        }

        if (engine is not null)
        {
            return engine;
        }

        // A free slot: grow the pool. The module's top level runs again, under this call's limits.
        var reserved = _engineBytes;
        if (!_budget.TryReserve(reserved))
        {
            _budget.Relieve(reserved);
            if (!_budget.TryReserve(reserved))
            {
                // At the host's ceiling: wait, as a call at the concurrency limit waits, for busy engines anywhere to
                // be recycled (their bytes given back) or for one of this version to come back; refuse only after.
                var (got, idle) = await WaitForRoomAsync(reserved, context).ConfigureAwait(false);
                if (idle is not null)
                {
                    return idle;
                }

                if (got)
                {
                    return CreateColdEngine(context, reserved);
                }

                _pool.ReleaseSlot();
                throw new FunctionInvocationException(
                    InvocationFailure.Overloaded,
                    $"This host's JavaScript engines hold about {_budget.HeldBytes >> 20} MB; another engine of '{Version.Name}' (about {reserved >> 20} MB) would pass its ceiling of {_budget.CeilingBytes >> 20} MB (NeedleOptions.JavaScript.MemoryCeilingMb); try again shortly.");
            }
        }

        return CreateColdEngine(context, reserved);
    }

    private async ValueTask<(bool Got, JavaScriptEngine? Engine)> WaitForRoomAsync(long reserved, InvocationContext context)
    {
        try
        {
            return await _budget.WaitToReserveAsync(reserved, _pool, _queueTimeout, TimeProvider.System, context.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex)
        {
            _pool.ReleaseSlot();
            throw JavaScriptErrors.Canceled(context, ex);
        }
    }

    // The slot and the bytes are this call's: build its engine, or give both back.
    private JavaScriptEngine CreateColdEngine(InvocationContext context, long reserved)
    {
        try
        {
            Activity.Current?.SetTag(NeedleMetricNames.ColdStartTag, true);
            context.ColdStart = true;
            return CreateEngine(context.CancellationToken, coldStart: true, reserved);
        }
        catch (Exception ex)
        {
            _budget.Add(-reserved);
            _pool.ReleaseSlot();
            var failure = JavaScriptErrors.Translate(ex, context, out _);
            throw failure.Failure == InvocationFailure.HandlerError
                ? new FunctionInvocationException(InvocationFailure.HandlerError, $"The module threw while loading: {failure.Message}", innerException: ex)
                : failure;
        }
    }

    /// <summary>Creates an engine; one created for a waiting call is that call's cold start.</summary>
    /// <remarks><paramref name="reserved"/> bytes were counted already; the account is corrected to what it holds.</remarks>
    private JavaScriptEngine CreateEngine(CancellationToken cancellationToken, bool coldStart, long reserved)
    {
        var started = Stopwatch.GetTimestamp();
        var engine = JavaScriptEngine.Create(_module, Limits, Version.Manifest.Config, cancellationToken);
        _budget.Add(engine.HeldBytes - reserved);
        _metrics?.RecordEngineCreated(Version, Stopwatch.GetElapsedTime(started).TotalSeconds, coldStart);
        return engine;
    }
}
