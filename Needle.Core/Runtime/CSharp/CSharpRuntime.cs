using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Needle.Functions;
using Needle.Store;
using Needle.Telemetry;

namespace Needle.Runtime.CSharp;

/// <summary>
/// Runs C# functions: compiles a version's source with Roslyn once per image key (source plus compiler and
/// references), keeps the image and its warnings (<see cref="CSharpImage"/>) in memory and in the store, and loads
/// each version into its own collectible context (<see cref="CSharpFunction"/>). Looks for an image in memory, then in
/// the store, and compiles only when neither has it, so a restart or another node serves without compiling. After
/// versions unload, gives their native memory back to the system (<see cref="NativeHeapTrimmer"/>). Registered as a
/// singleton.
/// </summary>
internal sealed class CSharpRuntime : IFunctionRuntime, IDisposable
{
    private const string WarmUpSource = """
        public sealed class WarmUp : INeedleFunction
        {
            public async Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context)
            {
                await Task.Yield();
                return new { ok = request.Path.Length > 0, items = new List<int> { 1, 2 }.Select(i => i * 2).ToArray() };
            }
        }
        """;

    private static int s_warmedUp;
    private readonly Lazy<CSharpCompiler> _compiler;
    private readonly CSharpImageCache _images;
    private readonly INeedleStore? _store;
    private readonly TimeSpan _queueTimeout;
    private readonly NativeHeapTrimmer _trimmer;
    private readonly ILogger _logger;
    private readonly NeedleMetrics? _metrics;
    private readonly TimeSpan _loadTimeout;
    private readonly int _maxStuckLoads;
    private int _loadThreads;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _stuckLoads = new(StringComparer.Ordinal);

    public CSharpRuntime(CSharpFunctionOptions options, INeedleStore? store, TimeSpan queueTimeout, ILoggerFactory loggerFactory, TimeProvider? timeProvider = null, NeedleMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _compiler = new Lazy<CSharpCompiler>(() => new CSharpCompiler(CSharpReferences.Create(options)), LazyThreadSafetyMode.ExecutionAndPublication);
        _images = new CSharpImageCache(options.ImageCacheSize);
        _store = store;
        _queueTimeout = queueTimeout;
        _trimmer = new NativeHeapTrimmer(Statistics, timeProvider ?? TimeProvider.System);
        _logger = loggerFactory.CreateLogger<CSharpRuntime>();
        _metrics = metrics;
        _loadTimeout = options.LoadTimeout;
        _maxStuckLoads = options.MaxStuckLoads;
    }

    /// <inheritdoc />
    public string Name => FunctionRuntimes.CSharp;

    /// <summary>Counters: compilations, loads and unloads, abandoned invocations.</summary>
    public CSharpRuntimeStatistics Statistics { get; } = new();

    /// <inheritdoc />
    public async Task<ILoadedFunction> LoadAsync(FunctionVersion version, ResolvedLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(limits);
        cancellationToken.ThrowIfCancellationRequested();

        var compiler = _compiler.Value;
        var key = compiler.References.ImageKey(version.Source);
        var (image, compiled) = await GetImageAsync(version, key, cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoadWithinLimitAsync(version, key, limits, image, cancellationToken).ConfigureAwait(false);
        }
        catch (BadImageFormatException ex) when (!compiled)
        {
            // A damaged or foreign image in the store: compile, and serve what compiles.
            CSharpLog.BadImage(_logger, version.Label, ex);
            image = Compile(compiler, version);
            _images.Add(key, image);
            return await LoadWithinLimitAsync(version, key, limits, image, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Loads on a thread of its own and waits at most <see cref="CSharpFunctionOptions.LoadTimeout"/>: the entry
    /// class's constructor, static constructors and field initialisers run there, and one that never ends must not
    /// hold the caller (a deploy, a rollback's reconcile) or a pool thread. .NET cannot abort a thread, so one past the
    /// limit is abandoned and counted (<see cref="CSharpRuntimeStatistics.LoadsStuck"/>); if it ever ends, what it
    /// loaded is unloaded. While it runs, the same image is refused at once instead of starting another such thread,
    /// and at most <see cref="CSharpFunctionOptions.MaxStuckLoads"/> load threads exist at once, so sources that differ
    /// cannot leave a thread behind at each deploy.
    /// </summary>
    private async Task<ILoadedFunction> LoadWithinLimitAsync(FunctionVersion version, string key, ResolvedLimits limits, CSharpImage image, CancellationToken cancellationToken)
    {
        if (_stuckLoads.ContainsKey(key))
        {
            throw LoadTimedOut(version, stillRunning: true);
        }

        if (Interlocked.Increment(ref _loadThreads) > _maxStuckLoads)
        {
            Interlocked.Decrement(ref _loadThreads);
            throw new LoadCapacityException(
                $"{version.Label} was not loaded: this node already has {_maxStuckLoads} C# loads whose load code has not ended " +
                $"(CSharpFunctionOptions.MaxStuckLoads = {_maxStuckLoads}; {Statistics.LoadsStuck} of them stuck past the load limit). " +
                "Nothing changed. A stuck load's thread is freed only when its load code ends or the host restarts; fix the load code (constructor, static constructor, field or module initialiser) and deploy again.");
        }

        var loaded = new TaskCompletionSource<CSharpFunction>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                loaded.TrySetResult(CSharpFunction.Load(version, limits, image, _queueTimeout, Statistics, _trimmer, _logger, _metrics));
            }
            catch (Exception ex)
            {
                loaded.TrySetException(ex);
            }
            finally
            {
                Interlocked.Decrement(ref _loadThreads);
            }
        })
        {
            IsBackground = true,
            Name = "Needle C# load",
        };
        thread.UnsafeStart();
        try
        {
            return await loaded.Task.WaitAsync(_loadTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            var timedOut = ex is TimeoutException;
            if (timedOut)
            {
                _stuckLoads[key] = version.Label;
                Statistics.LoadAbandoned();
                CSharpLog.LoadAbandoned(_logger, version.Label, _loadTimeout.TotalMilliseconds, Statistics.LoadsStuck);
            }

            _ = loaded.Task.ContinueWith(
                async t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        await t.Result.DisposeAsync().ConfigureAwait(false);
                    }

                    if (timedOut)
                    {
                        _stuckLoads.TryRemove(key, out _);
                        Statistics.AbandonedLoadEnded();
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            if (timedOut)
            {
                throw LoadTimedOut(version, stillRunning: false);
            }

            throw;
        }
    }

    private FunctionValidationException LoadTimedOut(FunctionVersion version, bool stillRunning)
    {
        var limit = _loadTimeout.TotalMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var what = stillRunning
            ? $"An earlier load of the same source did not finish within the load limit ({limit} ms) and still runs"
            : $"{version.Label} did not finish loading within the load limit ({limit} ms)";
        return new FunctionValidationException(
            $"{what}: its load code (the entry class's constructor, a static constructor or a field initialiser) does not end. " +
            "Nothing changed. .NET cannot stop a running thread, so that code runs on, abandoned; keep load code short and move work into InvokeAsync.");
    }

    /// <inheritdoc />
    /// <remarks>The warnings kept with the image, in memory or in the store; never compiles.</remarks>
    public async Task<IReadOnlyList<FunctionDiagnostic>> GetWarningsAsync(FunctionVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        var image = await FindImageAsync(ImageKey(version.Source), version, cancellationToken).ConfigureAwait(false);
        return image?.Warnings ?? [];
    }

    /// <summary>
    /// Compiles a trivial function so that Roslyn's first, slow compilation is not a user's deploy. What warms up
    /// (Roslyn's code, JIT-compiled) belongs to the process, so only the first runtime of a process does it.
    /// </summary>
    public void WarmUp()
    {
        if (Interlocked.Exchange(ref s_warmedUp, 1) == 1)
        {
            return;
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            _compiler.Value.Compile(WarmUpSource, "warmup.cs");
            CSharpLog.WarmedUp(_logger, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex)
        {
            CSharpLog.WarmUpFailed(_logger, ex);
        }
    }

    /// <summary>Stops the trimmer's timer.</summary>
    public void Dispose() => _trimmer.Dispose();

    /// <summary>The key of the image of <paramref name="source"/>.</summary>
    internal string ImageKey(string source) => _compiler.Value.References.ImageKey(source);

    private async Task<(CSharpImage Image, bool Compiled)> GetImageAsync(FunctionVersion version, string key, CancellationToken cancellationToken)
    {
        if (_images.TryGet(key, out var cached))
        {
            Statistics.CacheHit();
            return (cached, false);
        }

        if (await ReadArtifactAsync(key, version, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            Statistics.LoadedFromStore();
            return (stored, false);
        }

        var image = Compile(_compiler.Value, version);
        _images.Add(key, image);
        if (_store is not null)
        {
            try
            {
                await _store.SaveArtifactAsync(key, FunctionRuntimes.CSharp, image.ToArtifact(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                CSharpLog.ArtifactSaveFailed(_logger, key, ex);
            }
        }

        return (image, true);
    }

    private async Task<CSharpImage?> FindImageAsync(string key, FunctionVersion version, CancellationToken cancellationToken) =>
        _images.TryGet(key, out var cached) ? cached : await ReadArtifactAsync(key, version, cancellationToken).ConfigureAwait(false);

    // The image in the store, checked again (its source against this build's rules, its metadata) and put in the
    // memory cache; null when the store has none, it cannot be read or it fails a check (the caller compiles instead,
    // and compiling refuses a source that breaks a rule with its diagnostics).
    private async Task<CSharpImage?> ReadArtifactAsync(string key, FunctionVersion version, CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return null;
        }

        try
        {
            if (await _store.GetArtifactAsync(key, cancellationToken).ConfigureAwait(false) is { Length: > 0 } stored)
            {
                var image = CSharpImage.FromArtifact(stored);
                try
                {
                    _compiler.Value.Verify(image, version.Source, version.Name + ".cs");
                }
                catch (Exception ex) when (ex is FunctionValidationException or BadImageFormatException)
                {
                    CSharpLog.ArtifactRefused(_logger, key, ex);
                    return null;
                }

                _images.Add(key, image);
                return image;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CSharpLog.ArtifactReadFailed(_logger, key, ex);
        }

        return null;
    }

    private CSharpImage Compile(CSharpCompiler compiler, FunctionVersion version)
    {
        var image = compiler.Compile(version.Source, version.Name + ".cs");
        Statistics.Compiled();
        return image;
    }
}
