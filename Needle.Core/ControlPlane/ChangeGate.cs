namespace Needle.ControlPlane;

/// <summary>
/// Serialises the control plane's changes on this node (deploys and release moves), so each reads the state it
/// changes without a race. Never taken on the request path, and never held while a version loads (a load can run up
/// to its runtime's load limit): a change that must load steps out (<see cref="Lease.Exit"/>), loads, and steps back
/// in (<see cref="Lease.ReenterAsync"/>) to check that nothing moved meanwhile. Across nodes the store's transactions
/// and release preconditions do the same job.
/// </summary>
internal sealed class ChangeGate
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async Task<Lease> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Lease(_semaphore);
    }

    /// <summary>The gate, held; disposing lets it go (once, whether held or stepped out of).</summary>
    internal sealed class Lease(SemaphoreSlim semaphore) : IDisposable
    {
        private int _held = 1;

        /// <summary>Lets the gate go for a while (to load a version); <see cref="ReenterAsync"/> takes it again.</summary>
        public void Exit()
        {
            if (Interlocked.Exchange(ref _held, 0) == 1)
            {
                semaphore.Release();
            }
        }

        /// <summary>Takes the gate again after <see cref="Exit"/>.</summary>
        public async Task ReenterAsync(CancellationToken cancellationToken)
        {
            await semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _held, 1);
        }

        public void Dispose() => Exit();
    }
}
