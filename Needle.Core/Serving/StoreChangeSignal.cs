using System.Threading.Channels;

namespace Needle.Serving;

/// <summary>
/// Wakes the reconciler's loop before its next poll: a change announced by another node (its revision) or a resync
/// asked for after the listener reconnected. Signals coalesce: however many arrive while the loop is busy, it wakes
/// once and reads the store once.
/// </summary>
internal sealed class StoreChangeSignal
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private long _announced = -1;
    private int _resync;

    /// <summary>The highest revision announced so far (-1: none).</summary>
    public long Announced => Volatile.Read(ref _announced);

    /// <summary>Another node committed <paramref name="revision"/>.</summary>
    public void Announce(long revision)
    {
        var seen = Volatile.Read(ref _announced);
        while (revision > seen)
        {
            var previous = Interlocked.CompareExchange(ref _announced, revision, seen);
            if (previous == seen)
            {
                break;
            }

            seen = previous;
        }

        _wake.Writer.TryWrite(true);
    }

    /// <summary>Changes may have been missed (the listener was away): read the whole store once.</summary>
    public void RequestResync()
    {
        Volatile.Write(ref _resync, 1);
        _wake.Writer.TryWrite(true);
    }

    /// <summary>Whether a resync was asked for since the last call (clears it).</summary>
    public bool TakeResync() => Interlocked.Exchange(ref _resync, 0) == 1;

    /// <summary>Completes when a signal arrives (and consumes it).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await _wake.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
    }
}
