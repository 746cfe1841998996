using System.Collections.Concurrent;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// What all JavaScript engines of the host hold together (each engine's <see cref="JavaScriptEngine.HeldBytes"/>),
/// against the host-wide ceiling. Updated once per call with one interlocked add; the pools are walked only when the
/// total is over the ceiling. A cold start that finds no room waits (<see cref="WaitToReserveAsync"/>) for an engine to
/// be recycled or to come back, as a call at the concurrency limit waits in the queue.
/// </summary>
internal sealed class JavaScriptMemoryBudget
{
    private readonly ConcurrentDictionary<JavaScriptEnginePool, byte> _pools = new();
    private long _held;

    // Completed (and replaced) when room may have appeared: bytes given back, or an engine returned to its pool.
    private TaskCompletionSource _changed = NewSignal();
    private int _waiting;

    public JavaScriptMemoryBudget(long ceilingBytes)
    {
        CeilingBytes = ceilingBytes;
    }

    /// <summary>The ceiling, in bytes; 0 for none.</summary>
    public long CeilingBytes { get; }

    /// <summary>What the live engines hold now, estimated.</summary>
    public long HeldBytes => Volatile.Read(ref _held);

    /// <summary>Whether the engines hold more than the ceiling.</summary>
    public bool IsOver => CeilingBytes > 0 && HeldBytes > CeilingBytes;

    public void Add(long bytes)
    {
        Interlocked.Add(ref _held, bytes);
        if (bytes < 0)
        {
            Changed();
        }
    }

    /// <summary>Wakes the cold starts waiting for room, if any (one volatile read otherwise).</summary>
    public void Changed()
    {
        if (Volatile.Read(ref _waiting) > 0)
        {
            Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for room for <paramref name="bytes"/> (then reserved, as
    /// <see cref="TryReserve"/>) or for an idle engine of <paramref name="pool"/> (then taken: the caller's slot is
    /// released for it). Returns whether either came, and the engine when one did. Wakes only when bytes are given
    /// back or an engine is returned, never on a timer of its own.
    /// </summary>
    public async ValueTask<(bool Got, JavaScriptEngine? Engine)> WaitToReserveAsync(
        long bytes, JavaScriptEnginePool pool, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        Interlocked.Increment(ref _waiting);
        try
        {
            while (true)
            {
                // Taken before the checks: a change after them completes this signal, so no wake-up is lost.
                var changed = Volatile.Read(ref _changed).Task;
                if (pool.TryTakeIdleForSlot(out var engine))
                {
                    return (true, engine);
                }

                if (TryReserve(bytes))
                {
                    return (true, null);
                }

                var left = timeout - time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    return (false, null);
                }

                try
                {
                    await changed.WaitAsync(left, time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    return TryReserve(bytes) ? (true, null) : (false, null);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>
    /// Counts <paramref name="bytes"/> for an engine about to be built, unless that would pass the ceiling. Reserved
    /// before the engine exists, so concurrent cold starts cannot each see room that only one of them has.
    /// </summary>
    public bool TryReserve(long bytes)
    {
        var after = Interlocked.Add(ref _held, bytes);
        if (CeilingBytes <= 0 || after <= CeilingBytes)
        {
            return true;
        }

        Interlocked.Add(ref _held, -bytes);
        return false;
    }

    public void Register(JavaScriptEnginePool pool) => _pools.TryAdd(pool, 0);

    public void Unregister(JavaScriptEnginePool pool) => _pools.TryRemove(pool, out _);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Drops idle engines, pool by pool, until the total plus <paramref name="room"/> is under the ceiling or nothing
    /// idle is left.
    /// </summary>
    public void Relieve(long room = 0)
    {
        foreach (var pool in _pools.Keys)
        {
            if (CeilingBytes <= 0 || HeldBytes + room <= CeilingBytes)
            {
                return;
            }

            pool.DropIdle();
        }
    }
}
