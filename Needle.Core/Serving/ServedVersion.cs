using Needle.Runtime;

namespace Needle.Serving;

/// <summary>
/// A loaded version with a count of the requests running on it. Once retired (no release names it any more) it is
/// disposed when its last in-flight request finishes: a request that started on a version finishes on it.
/// </summary>
internal sealed class ServedVersion
{
    private int _inFlight;
    private int _retired;
    private int _disposed;

    public ServedVersion(ILoadedFunction function)
    {
        Function = function;
    }

    public ILoadedFunction Function { get; }

    public bool IsRetired => Volatile.Read(ref _retired) == 1;

    public bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    /// <summary>Counts a request in; fails when the version was retired meanwhile (the caller then reads the current version again).</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _retired) == 1)
        {
            Exit();
            return false;
        }

        return true;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _retired) == 1)
        {
            DisposeOnce();
        }
    }

    /// <summary>Stops new requests from entering; disposes now if none is running, else when the last one leaves.</summary>
    public void Retire()
    {
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            DisposeOnce();
        }
    }

    private void DisposeOnce()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Disposal may be asynchronous (a C# version unloads its load context); nobody waits on it.
            _ = Function.DisposeAsync().AsTask();
        }
    }
}
