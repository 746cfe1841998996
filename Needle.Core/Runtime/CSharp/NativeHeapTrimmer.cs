using System.Diagnostics;

namespace Needle.Runtime.CSharp;

/// <summary>
/// Gives the native memory of unloaded versions back to the system. A collectible context's native memory (type
/// structures, the bookkeeping of its JIT-compiled code) is freed into the C library's heap when the garbage
/// collector collects the context, which happens at its own pace after the unload; glibc keeps that memory in its
/// arenas, split across the threads that happened to allocate it, so a process that swaps versions all day grows
/// by what it once freed. After an unload, this checks once a <see cref="Interval"/> whether unloaded contexts
/// have been collected since the last trim, and if so trims the heap (<see cref="NativeHeap.Trim"/>).
/// </summary>
/// <remarks>
/// One trim walks the heap's free chunks, a few milliseconds for a heap of a hundred megabytes, on the timer's
/// thread, at most once an <see cref="Interval"/> and only while versions unload. The timer stops after
/// <see cref="IdleTicks"/> ticks with nothing new collected; the next unload starts it again.
/// </remarks>
internal sealed class NativeHeapTrimmer : IDisposable
{
    /// <summary>How often the trimmer looks for collected contexts while versions unload.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Ticks with nothing new to give back before the timer stops.</summary>
    public const int IdleTicks = 30;

    private readonly CSharpRuntimeStatistics _statistics;
    private readonly Func<bool> _trim;
    private readonly ITimer? _timer;
    private readonly Lock _gate = new();
    private bool _running;
    private int _idle;
    private long _collectedAtTrim;
    private int _collectionsAtTrim;
    private bool _trimAgainAfterCollection;
    private int _trimming;

    /// <param name="statistics">Where unloads and collected contexts are counted.</param>
    /// <param name="timeProvider">The clock of the timer.</param>
    /// <param name="trim">Trims the heap; <see cref="NativeHeap.Trim"/> unless a test counts the calls.</param>
    public NativeHeapTrimmer(CSharpRuntimeStatistics statistics, TimeProvider timeProvider, Func<bool>? trim = null)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _statistics = statistics;
        _trim = trim ?? NativeHeap.Trim;
        if (trim is not null || NativeHeap.IsSupported)
        {
            _timer = timeProvider.CreateTimer(static state => ((NativeHeapTrimmer)state!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Called when a version unloads: the timer runs until its memory has been given back.</summary>
    public void Unloaded()
    {
        if (_timer is null)
        {
            return;
        }

        lock (_gate)
        {
            _idle = 0;
            if (!_running)
            {
                _running = true;
                _timer.Change(Interval, Interval);
            }
        }
    }

    public void Dispose() => _timer?.Dispose();

    private void Tick()
    {
        lock (_gate)
        {
            if (!_running)
            {
                return;
            }

            var collected = _statistics.Collected();
            var collections = GC.CollectionCount(0);

            // The collection that finds a context unreachable runs its finalizer; its native memory is freed by a
            // later collection. So after a trim for newly collected contexts, one more once another collection ran.
            var newlyCollected = collected > _collectedAtTrim;
            if (!newlyCollected && !(_trimAgainAfterCollection && collections > _collectionsAtTrim))
            {
                if (++_idle >= IdleTicks)
                {
                    _running = false;
                    _timer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }

                return;
            }

            _trimAgainAfterCollection = newlyCollected;
            _collectedAtTrim = collected;
            _collectionsAtTrim = collections;
            _idle = 0;
        }

        // Outside the lock, so that an unload never waits for a trim; one trim at a time.
        if (Interlocked.Exchange(ref _trimming, 1) == 0)
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                _trim();
                _statistics.Trimmed(Stopwatch.GetElapsedTime(started));
            }
            finally
            {
                Volatile.Write(ref _trimming, 0);
            }
        }
    }
}
