using System.Runtime.Loader;

namespace Needle.Runtime.CSharp;

/// <summary>Counters of the C# runtime, for tests, the benchmark and diagnostics.</summary>
internal sealed class CSharpRuntimeStatistics
{
    private readonly List<WeakReference> _unloading = [];
    private long _compilations;
    private long _storeLoads;
    private long _cacheHits;
    private long _loaded;
    private long _unloaded;
    private long _collected;
    private long _abandoned;
    private long _trims;
    private long _loadsAbandoned;
    private long _loadsStuck;
    private long _trimTicks;

    /// <summary>Sources compiled by Roslyn (the warm-up not counted).</summary>
    public long Compilations => Interlocked.Read(ref _compilations);

    /// <summary>Images read from the store instead of compiling.</summary>
    public long StoreLoads => Interlocked.Read(ref _storeLoads);

    /// <summary>Images found in this node's memory cache.</summary>
    public long CacheHits => Interlocked.Read(ref _cacheHits);

    /// <summary>Load contexts created (one per loaded version).</summary>
    public long Loaded => Interlocked.Read(ref _loaded);

    /// <summary>Load contexts asked to unload (versions disposed).</summary>
    public long Unloaded => Interlocked.Read(ref _unloaded);

    /// <summary>Invocations answered at the timeout while the function's work went on.</summary>
    public long Abandoned => Interlocked.Read(ref _abandoned);

    /// <summary>Loads answered at the load time limit while the version's load code went on running.</summary>
    public long LoadsAbandoned => Interlocked.Read(ref _loadsAbandoned);

    /// <summary>Abandoned loads whose thread still runs (each holds a thread, and its load context can never unload).</summary>
    public long LoadsStuck => Interlocked.Read(ref _loadsStuck);

    /// <summary>Times the C library's heap was trimmed after versions unloaded (<see cref="NativeHeapTrimmer"/>).</summary>
    public long NativeHeapTrims => Interlocked.Read(ref _trims);

    /// <summary>Time spent trimming the C library's heap, all trims together.</summary>
    public TimeSpan NativeHeapTrimTime => TimeSpan.FromTicks(Interlocked.Read(ref _trimTicks));

    internal void Compiled() => Interlocked.Increment(ref _compilations);

    internal void LoadedFromStore() => Interlocked.Increment(ref _storeLoads);

    internal void CacheHit() => Interlocked.Increment(ref _cacheHits);

    internal void ContextLoaded() => Interlocked.Increment(ref _loaded);

    internal void Abandon() => Interlocked.Increment(ref _abandoned);

    internal void LoadAbandoned()
    {
        Interlocked.Increment(ref _loadsAbandoned);
        Interlocked.Increment(ref _loadsStuck);
    }

    internal void AbandonedLoadEnded() => Interlocked.Decrement(ref _loadsStuck);

    internal void Trimmed(TimeSpan elapsed)
    {
        Interlocked.Increment(ref _trims);
        Interlocked.Add(ref _trimTicks, elapsed.Ticks);
    }

    internal void ContextUnloading(AssemblyLoadContext context)
    {
        Interlocked.Increment(ref _unloaded);
        lock (_unloading)
        {
            _unloading.Add(new WeakReference(context));
        }
    }

    /// <summary>
    /// Load contexts that unloaded and have been collected. Collection happens at the garbage collector's pace; call
    /// after <c>GC.Collect()</c> to count promptly.
    /// </summary>
    public long Collected()
    {
        lock (_unloading)
        {
            _collected += _unloading.RemoveAll(w => !w.IsAlive);
            return _collected;
        }
    }
}
