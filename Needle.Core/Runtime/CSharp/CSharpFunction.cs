using System.Diagnostics;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Needle.Functions;
using Needle.Telemetry;

namespace Needle.Runtime.CSharp;

/// <summary>
/// A loaded C# version: its assembly in its own collectible <see cref="CSharpLoadContext"/>, and one instance of
/// its entry class that serves every call (concurrently, up to <see cref="ResolvedLimits.MaxConcurrency"/>).
/// Static fields live in the version's context, so no state crosses versions. Disposing unloads the context.
/// </summary>
/// <remarks>
/// Nothing in Needle keeps a reference into the context after <see cref="DisposeAsync"/>: the instance, the
/// assembly and the version's JSON options (whose metadata cache holds the function's types) are dropped, so the
/// context is collected once the last call has returned.
/// </remarks>
internal sealed class CSharpFunction : ILoadedFunction
{
    private static readonly Task<object?> NoResult = Task.FromResult<object?>(null);
    private readonly ConcurrencyLimiter _limiter;
    private readonly CSharpRuntimeStatistics _statistics;
    private readonly NativeHeapTrimmer _trimmer;
    private readonly ILogger _logger;
    private readonly NeedleMetrics? _metrics;
    private readonly double _loadSeconds;
    private readonly JsonElement _config;
    private int _called;
    private CSharpLoadContext? _context;
    private Assembly? _assembly;
    private INeedleFunction? _instance;
    private JsonSerializerOptions? _json;

    private CSharpFunction(FunctionVersion version, ResolvedLimits limits, CSharpImage image, CSharpLoadContext context, Assembly assembly, INeedleFunction instance, TimeSpan queueTimeout, CSharpRuntimeStatistics statistics, NativeHeapTrimmer trimmer, ILogger logger, NeedleMetrics? metrics, long loadStarted)
    {
        Version = version;
        Limits = limits;
        Warnings = image.Warnings;
        _metrics = metrics;
        _context = context;
        _assembly = assembly;
        _instance = instance;
        _statistics = statistics;
        _trimmer = trimmer;
        _logger = logger;
        _limiter = new ConcurrencyLimiter(limits.MaxConcurrency, queueTimeout);
        // A resolver of its own: options with equal settings share one metadata cache process-wide, which would hold
        // this version's types for as long as any version with the same settings lives.
        // Relaxed escaping, as JSON.stringify writes it: the body is JSON, never embedded in HTML by Needle.
        _json = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        _config = JsonSerializer.SerializeToElement(version.Manifest.Config ?? [], _json);
        ContextReference = new WeakReference(context);
        _loadSeconds = Stopwatch.GetElapsedTime(loadStarted).TotalSeconds;
    }

    /// <inheritdoc />
    public FunctionVersion Version { get; }

    /// <inheritdoc />
    public ResolvedLimits Limits { get; }

    /// <inheritdoc />
    public IReadOnlyList<FunctionDiagnostic> Warnings { get; }

    /// <summary>A weak reference to the load context, to verify that it unloads.</summary>
    internal WeakReference ContextReference { get; }

    /// <summary>Invocations running now.</summary>
    internal int InFlight => _limiter.InUse;

    /// <summary>
    /// Loads <paramref name="image"/> into a new collectible context and creates the entry instance. Throws
    /// <see cref="FunctionValidationException"/> when the constructor throws, and <see cref="BadImageFormatException"/>
    /// when the image is not a function assembly. The time this takes is the version's init duration, recorded with
    /// its cold start at the first call (<paramref name="metrics"/>).
    /// </summary>
    public static CSharpFunction Load(FunctionVersion version, ResolvedLimits limits, CSharpImage image, TimeSpan queueTimeout, CSharpRuntimeStatistics statistics, NativeHeapTrimmer trimmer, ILogger logger, NeedleMetrics? metrics = null)
    {
        var started = Stopwatch.GetTimestamp();
        var context = new CSharpLoadContext(version.Label);
        statistics.ContextLoaded();
        try
        {
            using var stream = new MemoryStream(image.Assembly, writable: false);
            var assembly = context.LoadFromStream(stream);
            var entries = assembly.GetExportedTypes()
                .Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false } && typeof(INeedleFunction).IsAssignableFrom(t))
                .ToList();
            if (entries.Count != 1)
            {
                throw new BadImageFormatException($"The image has {entries.Count} entry classes instead of one.");
            }

            INeedleFunction instance;
            try
            {
                instance = (INeedleFunction)Activator.CreateInstance(entries[0])!;
            }
            catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
            {
                throw new FunctionValidationException($"The constructor of '{entries[0].Name}' threw: {inner.GetType().Name}: {inner.Message}");
            }

            return new CSharpFunction(version, limits, image, context, assembly, instance, queueTimeout, statistics, trimmer, logger, metrics, started);
        }
        catch
        {
            Unload(context, statistics);
            trimmer.Unloaded();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The function runs inline, on the caller's thread, until it first awaits: a function that completes without
    /// awaiting costs no thread hop and no timer. One that awaits past its timeout is answered at the limit here
    /// (<see cref="Task.WaitAsync(CancellationToken)"/>); one that computes past it without yielding holds the
    /// request's thread and is answered by the endpoint's watchdog. Either way its slot stays taken until the work
    /// really ends, so a stuck function cannot pile up unbounded work.
    /// </remarks>
    public async ValueTask<FunctionResponse> InvokeAsync(FunctionRequest request, InvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var instance = _instance;
        var json = _json;
        if (instance is null || json is null)
        {
            throw new FunctionInvocationException(InvocationFailure.HandlerError, $"{Version.Label} has been unloaded.");
        }

        if (_called == 0 && Interlocked.Exchange(ref _called, 1) == 0)
        {
            context.ColdStart = true;
            OnFirstCall();
        }

        // Inline only where the endpoint's watchdog covers this thread: not after waiting for a slot (the rest of the
        // call runs on whichever thread gave the slot back), and not for calls from elsewhere (test invocations).
        var inline = context.IsWatched;
        if (!_limiter.TryEnter())
        {
            inline = false;
            try
            {
                if (!await _limiter.TryEnterAsync(context.CancellationToken).ConfigureAwait(false))
                {
                    throw CSharpErrors.Overloaded(Version.Name, _limiter.Maximum);
                }
            }
            catch (OperationCanceledException ex)
            {
                throw CSharpErrors.Canceled(context, ex);
            }
        }

        var releaseLater = false;
        Task<object?>? task = null;
        try
        {
            var functionContext = new FunctionContext(context, _config, json);
            task = inline
                ? instance.InvokeAsync(request, functionContext) ?? NoResult
                : Task.Run(() => instance.InvokeAsync(request, functionContext) ?? NoResult);
            var result = task.IsCompleted
                ? await task.ConfigureAwait(false)
                : await task.WaitAsync(context.CancellationToken).ConfigureAwait(false);
            return CSharpResponseConverter.Convert(result, json, Limits.MaxResponseBytes);
        }
        catch (OperationCanceledException ex) when (context.CancellationToken.IsCancellationRequested)
        {
            if (task is { IsCompleted: false } && !context.IsAbandoned)
            {
                // A function that honours its token ends a moment after the token fires; only one that does not is abandoned.
                await Task.WhenAny(task, Task.Delay(OverrunGrace.Period)).ConfigureAwait(false);
            }

            if (task is { IsCompleted: false })
            {
                // The function ignores its token. Answer now; the slot is given back when the work really ends.
                releaseLater = true;
                if (context.TryAbandon())
                {
                    OnAbandoned(context);
                }

                _ = task.ContinueWith(
                    static (t, state) =>
                    {
                        _ = t.Exception;
                        ((ConcurrencyLimiter)state!).Release();
                    },
                    _limiter,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }

            throw CSharpErrors.Canceled(context, ex);
        }
        catch (FunctionInvocationException)
        {
            throw;
        }
        catch (Exception ex)
        {
            CSharpLog.HandlerThrew(_logger, Version.Label, ex);
            throw CSharpErrors.HandlerError(ex, _assembly);
        }
        finally
        {
            if (!releaseLater)
            {
                _limiter.Release();
            }
        }
    }

    /// <inheritdoc />
    public void OnAbandoned(InvocationContext context)
    {
        _statistics.Abandon();
        CSharpLog.Abandoned(_logger, Version.Label, Limits.Timeout.TotalMilliseconds, _statistics.Abandoned);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        var context = Interlocked.Exchange(ref _context, null);
        if (context is not null)
        {
            _instance = null;
            _assembly = null;
            _json = null;
            CSharpLog.Unloading(_logger, Version.Label);
            Unload(context, _statistics);
            CSharpMetadataCaches.Clear();
            _trimmer.Unloaded();
        }

        return ValueTask.CompletedTask;
    }

    // The first call JIT-compiles the function's code: C#'s cold start, with the load as its init duration.
    private void OnFirstCall()
    {
        Activity.Current?.SetTag(NeedleMetricNames.ColdStartTag, true);
        _metrics?.RecordEngineCreated(Version, _loadSeconds, coldStart: true);
    }

    private static void Unload(CSharpLoadContext context, CSharpRuntimeStatistics statistics)
    {
        statistics.ContextUnloading(context);
        context.Unload();
    }
}
