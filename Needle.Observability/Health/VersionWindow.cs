using Needle.Releases;
using Needle.Telemetry;

namespace Needle.Observability.Health;

/// <summary>
/// One function version's recent invocations: a ring of one-second slots long enough for the widest window. Writers
/// only add with <see cref="Interlocked"/>; the one lock is taken once per second per version, by the first writer
/// of a new second, to clear the slot it reuses.
/// </summary>
internal sealed class VersionWindow
{
    private readonly Slot?[] _slots;
    private ErrorSnapshot? _lastError;
    private long _lastSecond;
    private int _role;

    public VersionWindow(string function, int version, int seconds, long createdAt)
    {
        // Counts as used when created, so it is not evicted before its first call is recorded.
        _lastSecond = createdAt;
        Function = function;
        Version = version;
        _slots = new Slot?[seconds + 1];
    }

    public string Function { get; }

    public int Version { get; }

    public ReleaseRole LastRole => (ReleaseRole)Volatile.Read(ref _role);

    public long LastSecond => Volatile.Read(ref _lastSecond);

    public ErrorSnapshot? LastError => Volatile.Read(ref _lastError);

    public void Record(long second, in InvocationRecord record, TimeProvider time)
    {
        var slot = _slots[second % _slots.Length];
        if (slot is null || Volatile.Read(ref slot.Second) != second)
        {
            slot = Rotate(second);
            if (slot is null)
            {
                return;
            }
        }

        Interlocked.Increment(ref slot.Count);
        if (record.ColdStart)
        {
            // Counted as a call, but its duration is the start (an engine, a first JIT), not the version's latency.
            Interlocked.Increment(ref slot.ColdStarts);
        }
        else
        {
            Interlocked.Add(ref slot.DurationTicks, record.Duration.Ticks);
            Interlocked.Increment(ref slot.Buckets[LatencyBuckets.IndexOf(record.Duration)]);
        }

        if (InvocationOutcomes.IsError(record.Outcome))
        {
            Interlocked.Increment(ref slot.Errors);
            Volatile.Write(ref _lastError, new ErrorSnapshot(Truncate(record.Error), time.GetUtcNow(), record.Outcome));
        }

        if (Volatile.Read(ref _role) != (int)record.Role)
        {
            Volatile.Write(ref _role, (int)record.Role);
        }

        if (Volatile.Read(ref _lastSecond) < second)
        {
            Volatile.Write(ref _lastSecond, second);
        }
    }

    /// <summary>Adds the slots of the last <paramref name="seconds"/> seconds up to <paramref name="now"/> to <paramref name="sum"/>.</summary>
    public void AddTo(WindowSum sum, long now, int seconds)
    {
        foreach (var slot in _slots)
        {
            if (slot is null)
            {
                continue;
            }

            var second = Volatile.Read(ref slot.Second);
            if (second > now - seconds && second <= now)
            {
                sum.Add(slot);
            }
        }
    }

    private Slot? Rotate(long second)
    {
        var index = second % _slots.Length;
        lock (_slots)
        {
            var slot = _slots[index];
            if (slot is null)
            {
                slot = new Slot();
                slot.Second = second;
                Volatile.Write(ref _slots[index], slot);
                return slot;
            }

            var current = slot.Second;
            if (current == second)
            {
                return slot;
            }

            if (current > second)
            {
                // A writer that stalled for a whole ring: its second has left every window.
                return null;
            }

            slot.Count = 0;
            slot.Errors = 0;
            slot.ColdStarts = 0;
            slot.DurationTicks = 0;
            Array.Clear(slot.Buckets);

            // Published last, so a writer that sees the new second finds the slot cleared.
            Volatile.Write(ref slot.Second, second);
            return slot;
        }
    }

    // Messages are what the caller was shown; they are cut short so one huge error cannot pin memory.
    private static string Truncate(string? message) =>
        message is null ? "(no message)" : message.Length <= 300 ? message : message[..300] + "…";

    internal sealed class Slot
    {
        public long Second;
        public long Count;
        public long Errors;
        public long ColdStarts;
        public long DurationTicks;
        public readonly long[] Buckets = new long[LatencyBuckets.Count];
    }
}
