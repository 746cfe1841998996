namespace Needle.ControlPlane;

/// <summary>
/// Serialises the control plane's changes on this node (deploys and release moves), so each reads the state it
/// changes without a race. Never taken on the request path. Across nodes the store's transactions and release
/// preconditions do the same job.
/// </summary>
internal sealed class ChangeGate
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(_semaphore);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
