using System.Collections.Concurrent;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// What all JavaScript engines of the host hold together (each engine's <see cref="JavaScriptEngine.HeldBytes"/>),
/// against the host-wide ceiling. Updated once per call with one interlocked add; the pools are walked only when the
/// total is over the ceiling.
/// </summary>
internal sealed class JavaScriptMemoryBudget
{
    private readonly ConcurrentDictionary<JavaScriptEnginePool, byte> _pools = new();
    private long _held;

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

    public void Add(long bytes) => Interlocked.Add(ref _held, bytes);

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
