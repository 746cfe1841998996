namespace Needle.Runtime;

/// <summary>
/// At most <see cref="Maximum"/> invocations of one version at once; a call beyond that waits, in arrival order,
/// for up to the queue timeout and is then refused (the caller answers 503). The same rule as the JavaScript
/// engine pool, for runtimes that need slots but no engines.
/// </summary>
/// <remarks>
/// Taking and giving back a free slot is one interlocked operation: no lock on the request path. Only calls that
/// must wait use the semaphore, which hands each given-back slot to one waiter, first come, first served.
/// <see cref="_count"/> is the number of free slots, or minus the number of waiters that no slot has been handed to yet.
/// </remarks>
internal sealed class ConcurrencyLimiter
{
    private readonly SemaphoreSlim _handOver = new(0);
    private readonly TimeSpan _queueTimeout;
    private int _count;

    public ConcurrencyLimiter(int maximum, TimeSpan queueTimeout)
    {
        Maximum = Math.Max(1, maximum);
        _count = Maximum;
        _queueTimeout = queueTimeout;
    }

    /// <summary>The limit.</summary>
    public int Maximum { get; }

    /// <summary>Slots taken now.</summary>
    public int InUse => Maximum - Math.Max(0, Volatile.Read(ref _count));

    /// <summary>
    /// Takes a slot. Returns <see langword="false"/> when none came free within the queue timeout; throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public ValueTask<bool> TryEnterAsync(CancellationToken cancellationToken) =>
        Interlocked.Decrement(ref _count) >= 0 ? ValueTask.FromResult(true) : new ValueTask<bool>(WaitAsync(cancellationToken));

    /// <summary>Takes a slot if one is free now, without waiting.</summary>
    public bool TryEnter()
    {
        var count = Volatile.Read(ref _count);
        while (count > 0)
        {
            var seen = Interlocked.CompareExchange(ref _count, count - 1, count);
            if (seen == count)
            {
                return true;
            }

            count = seen;
        }

        return false;
    }

    /// <summary>Gives a slot back (to the first waiter, if any). Never disposed: an abandoned invocation may give its slot back after its version is gone.</summary>
    public void Release()
    {
        if (Interlocked.Increment(ref _count) <= 0)
        {
            _handOver.Release();
        }
    }

    private async Task<bool> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await _handOver.WaitAsync(_queueTimeout, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }
        catch (OperationCanceledException)
        {
            if (!await LeaveQueueAsync().ConfigureAwait(false))
            {
                throw;
            }

            // A slot was handed over as the token fired: give it back rather than run a cancelled call.
            Release();
            throw;
        }

        return await LeaveQueueAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Takes this waiter out of the count. Returns <see langword="true"/> when a slot had already been handed to it
    /// (taken from the semaphore now), <see langword="false"/> when it left without one.
    /// </summary>
    private async ValueTask<bool> LeaveQueueAsync()
    {
        var count = Volatile.Read(ref _count);
        while (count < 0)
        {
            var seen = Interlocked.CompareExchange(ref _count, count + 1, count);
            if (seen == count)
            {
                return false;
            }

            count = seen;
        }

        // Every waiter has been matched with a given-back slot, this one included: its slot is in the semaphore (or
        // about to be), so take it.
        await _handOver.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        return true;
    }
}
