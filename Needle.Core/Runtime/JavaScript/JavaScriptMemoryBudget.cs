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

    public void Register(JavaScriptEnginePool pool) => _pools.TryAdd(pool, 0);

    public void Unregister(JavaScriptEnginePool pool) => _pools.TryRemove(pool, out _);

    /// <summary>Drops idle engines, pool by pool, until the total is under the ceiling or nothing idle is left.</summary>
    public void Relieve()
    {
        foreach (var pool in _pools.Keys)
        {
            if (!IsOver)
            {
                return;
            }

            pool.DropIdle();
        }
    }
}
