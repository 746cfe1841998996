namespace Needle.Runtime;

/// <summary>
/// At most <see cref="Maximum"/> invocations of one version at once; a call beyond that waits, in arrival order,
/// for up to the queue timeout and is then refused (the caller answers 503). The same rule as the JavaScript
/// engine pool, for runtimes that need slots but no engines.
/// </summary>
internal sealed class ConcurrencyLimiter
{
    // SemaphoreSlim serves its asynchronous waiters first come, first served.
    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _queueTimeout;

    public ConcurrencyLimiter(int maximum, TimeSpan queueTimeout)
    {
        Maximum = Math.Max(1, maximum);
        _slots = new SemaphoreSlim(Maximum, Maximum);
        _queueTimeout = queueTimeout;
    }

    /// <summary>The limit.</summary>
    public int Maximum { get; }

    /// <summary>Slots taken now.</summary>
    public int InUse => Maximum - _slots.CurrentCount;

    /// <summary>
    /// Takes a slot. Returns <see langword="false"/> when none came free within the queue timeout; throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public ValueTask<bool> TryEnterAsync(CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, CancellationToken.None))
        {
            return ValueTask.FromResult(true);
        }

        return new ValueTask<bool>(_slots.WaitAsync(_queueTimeout, cancellationToken));
    }

    /// <summary>Gives a slot back. Never disposed: an abandoned invocation may give its slot back after its version is gone.</summary>
    public void Release() => _slots.Release();
}
