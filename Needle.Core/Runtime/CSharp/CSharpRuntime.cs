using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Needle.Functions;
using Needle.Store;

namespace Needle.Runtime.CSharp;

/// <summary>
/// Runs C# functions: compiles a version's source with Roslyn once per image key (source plus compiler and
/// references), keeps the image in memory and in the store, and loads each version into its own collectible
/// context (<see cref="CSharpFunction"/>). Looks for an image in memory, then in the store, and compiles only when
/// neither has it, so a restart or another node serves without compiling. After versions unload, gives their native
/// memory back to the system (<see cref="NativeHeapTrimmer"/>). Registered as a singleton.
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

    public CSharpRuntime(CSharpFunctionOptions options, INeedleStore? store, TimeSpan queueTimeout, ILoggerFactory loggerFactory, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _compiler = new Lazy<CSharpCompiler>(() => new CSharpCompiler(CSharpReferences.Create(options)), LazyThreadSafetyMode.ExecutionAndPublication);
        _images = new CSharpImageCache(options.ImageCacheSize);
        _store = store;
        _queueTimeout = queueTimeout;
        _trimmer = new NativeHeapTrimmer(Statistics, timeProvider ?? TimeProvider.System);
        _logger = loggerFactory.CreateLogger<CSharpRuntime>();
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
            return CSharpFunction.Load(version, limits, image, _queueTimeout, Statistics, _trimmer, _logger);
        }
        catch (BadImageFormatException ex) when (!compiled)
        {
            // A damaged or foreign image in the store: compile, and serve what compiles.
            CSharpLog.BadImage(_logger, version.Label, ex);
            image = Compile(compiler, version);
            _images.Add(key, image);
            return CSharpFunction.Load(version, limits, image, _queueTimeout, Statistics, _trimmer, _logger);
        }
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

    private async Task<(byte[] Image, bool Compiled)> GetImageAsync(FunctionVersion version, string key, CancellationToken cancellationToken)
    {
        if (_images.TryGet(key, out var cached))
        {
            Statistics.CacheHit();
            return (cached, false);
        }

        if (_store is not null)
        {
            try
            {
                if (await _store.GetArtifactAsync(key, cancellationToken).ConfigureAwait(false) is { Length: > 0 } stored)
                {
                    Statistics.LoadedFromStore();
                    _images.Add(key, stored);
                    return (stored, false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                CSharpLog.ArtifactReadFailed(_logger, key, ex);
            }
        }

        var image = Compile(_compiler.Value, version);
        _images.Add(key, image);
        if (_store is not null)
        {
            try
            {
                await _store.SaveArtifactAsync(key, FunctionRuntimes.CSharp, image, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                CSharpLog.ArtifactSaveFailed(_logger, key, ex);
            }
        }

        return (image, true);
    }

    private byte[] Compile(CSharpCompiler compiler, FunctionVersion version)
    {
        var image = compiler.Compile(version.Source, version.Function + ".cs");
        Statistics.Compiled();
        return image;
    }
}
