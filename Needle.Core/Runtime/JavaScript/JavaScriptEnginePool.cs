using System.Collections.Concurrent;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// The engines of one version, at most <c>MaxConcurrency</c> of them, created on demand. Taking an idle engine
/// or a free slot is lock-free; only when every slot is busy does a call queue, and queued calls are served in
/// arrival order as engines come back or slots free up.
/// </summary>
internal sealed class JavaScriptEnginePool : IDisposable
{
    private readonly ConcurrentStack<JavaScriptEngine> _idle = new();
    private readonly Queue<TaskCompletionSource<JavaScriptEngine?>> _waiters = new();
    private readonly int _maximum;
    private readonly TimeSpan _queueTimeout;
    private readonly JavaScriptMemoryBudget? _budget;
    private int _count;
    private int _waiting;
    private bool _disposed;

    public JavaScriptEnginePool(int maximum, TimeSpan queueTimeout, JavaScriptMemoryBudget? budget = null)
    {
        _maximum = Math.Max(1, maximum);
        _queueTimeout = queueTimeout;
        _budget = budget;
        budget?.Register(this);
    }

    /// <summary>The pool's size limit.</summary>
    public int Maximum => _maximum;

    /// <summary>Engines alive now, idle or busy (slots reserved for engines being created included).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Adds an engine created outside the pool (the one made while loading), taking a slot.</summary>
    public void Add(JavaScriptEngine engine)
    {
        Interlocked.Increment(ref _count);
        Return(engine);
    }

    /// <summary>
    /// Takes an idle engine, or returns <see langword="null"/> when the caller has been given a free slot and
    /// must create the engine itself (then return or discard it as usual, or call <see cref="ReleaseSlot"/>).
    /// Throws <see cref="TimeoutException"/> after the queue timeout and <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public ValueTask<JavaScriptEngine?> AcquireAsync(CancellationToken cancellationToken) =>
        TryTake(out var engine) ? ValueTask.FromResult(engine) : WaitAsync(cancellationToken);

    /// <summary>
    /// Takes an idle engine or a free slot (<paramref name="engine"/> <see langword="null"/>, as with
    /// <see cref="AcquireAsync"/>) without waiting; <see langword="false"/> when the call would have to queue. Lets a
    /// caller ask for its cancellation token (a timer) only when it has to wait.
    /// </summary>
    public bool TryTake(out JavaScriptEngine? engine)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        engine = null;

        // Newcomers do not overtake queued calls.
        if (Volatile.Read(ref _waiting) != 0)
        {
            return false;
        }

        if (_idle.TryPop(out var idle))
        {
            engine = idle;
            return true;
        }

        return TryReserveSlot();
    }

    /// <summary>Gives a healthy engine back.</summary>
    public void Return(JavaScriptEngine engine)
    {
        if (Volatile.Read(ref _disposed))
        {
            Discard(engine);
            return;
        }

        _idle.Push(engine);

        // Push (a full fence) then read _waiting; a waiter publishes itself then reads _idle: one of us sees the other.
        if (Volatile.Read(ref _waiting) > 0)
        {
            ServeWaiters();
        }

        // A cold start of this version waiting for memory room can take this engine instead.
        _budget?.Changed();
    }

    /// <summary>
    /// For a caller that holds a free slot but found no memory room to build an engine in it: takes an idle engine
    /// instead (queued calls do not overtake it: it was admitted before them) and gives the slot back.
    /// </summary>
    public bool TryTakeIdleForSlot(out JavaScriptEngine? engine)
    {
        if (_idle.TryPop(out var idle))
        {
            engine = idle;
            ReleaseSlot();
            return true;
        }

        engine = null;
        return false;
    }

    /// <summary>Drops an engine whose state cannot be trusted, freeing its slot.</summary>
    public void Discard(JavaScriptEngine engine)
    {
        _budget?.Add(-engine.HeldBytes);
        engine.Dispose();
        ReleaseSlot();
    }

    /// <summary>Disposes the idle engines (under memory pressure); busy ones are untouched.</summary>
    public void DropIdle()
    {
        while (_idle.TryPop(out var engine))
        {
            Discard(engine);
        }
    }

    /// <summary>Frees a slot reserved by <see cref="AcquireAsync"/> whose engine could not be created.</summary>
    public void ReleaseSlot()
    {
        Interlocked.Decrement(ref _count);
        if (Volatile.Read(ref _waiting) > 0)
        {
            ServeWaiters();
        }
    }

    /// <summary>Disposes the idle engines; busy ones are disposed when they come back.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        _budget?.Unregister(this);
        DropIdle();

        lock (_waiters)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                waiter.TrySetException(new ObjectDisposedException(nameof(JavaScriptEnginePool)));
            }

            Volatile.Write(ref _waiting, 0);
        }
    }

    private async ValueTask<JavaScriptEngine?> WaitAsync(CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<JavaScriptEngine?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            _waiters.Enqueue(waiter);
            Volatile.Write(ref _waiting, _waiters.Count);
        }

        // An engine may have come back between the fast path and the enqueue.
        ServeWaiters();

        try
        {
            return await waiter.Task.WaitAsync(_queueTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // Cancelling loses against a concurrent hand-over: then the engine (or slot) is ours after all.
            // A cancelled waiter stays queued until ServeWaiters skips it.
            if (waiter.TrySetCanceled(CancellationToken.None))
            {
                throw;
            }

            return await waiter.Task.ConfigureAwait(false);
        }
    }

    private void ServeWaiters()
    {
        lock (_waiters)
        {
            while (_waiters.TryPeek(out var waiter))
            {
                if (waiter.Task.IsCompleted)
                {
                    _waiters.Dequeue();
                    continue;
                }

                if (_idle.TryPop(out var engine))
                {
                    _waiters.Dequeue();
                    if (!waiter.TrySetResult(engine))
                    {
                        _idle.Push(engine);
                    }
                }
                else if (TryReserveSlot())
                {
                    _waiters.Dequeue();
                    if (!waiter.TrySetResult(null))
                    {
                        Interlocked.Decrement(ref _count);
                    }
                }
                else
                {
                    break;
                }
            }

            Volatile.Write(ref _waiting, _waiters.Count);
        }
    }

    private bool TryReserveSlot()
    {
        var count = Volatile.Read(ref _count);
        while (count < _maximum)
        {
            var seen = Interlocked.CompareExchange(ref _count, count + 1, count);
            if (seen == count)
            {
                return true;
            }

            count = seen;
        }

        return false;
    }
}
