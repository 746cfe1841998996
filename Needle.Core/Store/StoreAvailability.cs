namespace Needle.Store;

/// <summary>
/// Whether the store's database answers, as this node last saw it: a failed connection or command (any caller's: the
/// control plane, the poll, the PostgreSQL listener) marks it unavailable, and from then on store calls fail in
/// microseconds with <see cref="NeedleStoreUnavailableException"/> instead of each waiting out a connect timeout.
/// One caller per <see cref="ProbeInterval"/> is let through to try the database again; its success (or the listener
/// reconnecting) marks the store available. Lock-free: the state is one immutable record swapped whole.
/// </summary>
internal sealed class StoreAvailability
{
    private readonly TimeProvider _time;
    private Outage? _outage;

    public StoreAvailability(TimeProvider time, TimeSpan probeInterval)
    {
        _time = time;
        ProbeInterval = probeInterval;
    }

    /// <summary>How often a call goes through to the database while it is unavailable.</summary>
    public TimeSpan ProbeInterval { get; }

    /// <summary>Whether the store answered last time it was tried.</summary>
    public bool IsAvailable => Volatile.Read(ref _outage) is null;

    /// <summary>Since when the store is unavailable, or null when it is available.</summary>
    public DateTimeOffset? UnavailableSince => Volatile.Read(ref _outage)?.Since;

    /// <summary>Raised once when the store becomes unavailable (with the error) and once when it is back (null).</summary>
    public event Action<Exception?>? Changed;

    /// <summary>
    /// Throws <see cref="NeedleStoreUnavailableException"/> when the store is unavailable and this call is not the
    /// one let through to probe it.
    /// </summary>
    public void ThrowIfUnavailable()
    {
        var outage = Volatile.Read(ref _outage);
        if (outage is null)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (now >= outage.NextProbe
            && Interlocked.CompareExchange(ref _outage, outage with { NextProbe = now + ProbeTicks() }, outage) == outage)
        {
            return;
        }

        throw CreateException(outage, null);
    }

    /// <summary>The store answered: available again.</summary>
    public void ReportSuccess()
    {
        if (Volatile.Read(ref _outage) is not null && Interlocked.Exchange(ref _outage, null) is not null)
        {
            Changed?.Invoke(null);
        }
    }

    /// <summary>The store could not be reached: unavailable (since the first failure) until a probe succeeds.</summary>
    /// <returns>The exception for the caller to throw.</returns>
    public NeedleStoreUnavailableException ReportFailure(Exception error)
    {
        var next = new Outage(_time.GetUtcNow(), _time.GetTimestamp() + ProbeTicks(), error.Message);
        while (true)
        {
            var current = Volatile.Read(ref _outage);
            var replacement = current is null ? next : current with { NextProbe = next.NextProbe, Error = error.Message };
            if (Interlocked.CompareExchange(ref _outage, replacement, current) == current)
            {
                if (current is null)
                {
                    Changed?.Invoke(error);
                }

                return CreateException(replacement, error);
            }
        }
    }

    private long ProbeTicks() => (long)(ProbeInterval.TotalSeconds * _time.TimestampFrequency);

    private NeedleStoreUnavailableException CreateException(Outage outage, Exception? error) =>
        new(
            $"The Needle store cannot be reached (since {outage.Since:u}: {outage.Error}); this node keeps serving what it loaded.",
            outage.Since,
            ProbeInterval,
            error);

    private sealed record Outage(DateTimeOffset Since, long NextProbe, string Error);
}
