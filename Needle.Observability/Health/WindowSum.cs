namespace Needle.Observability.Health;

/// <summary>Adds up ring slots (of one version or of all versions of a function) into one window's figures.</summary>
internal sealed class WindowSum
{
    private readonly long[] _buckets = new long[LatencyBuckets.Count];
    private long _count;
    private long _errors;
    private long _coldStarts;

    public void Add(VersionWindow.Slot slot)
    {
        _count += Volatile.Read(ref slot.Count);
        _errors += Volatile.Read(ref slot.Errors);
        _coldStarts += Volatile.Read(ref slot.ColdStarts);
        for (var i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] += Volatile.Read(ref slot.Buckets[i]);
        }
    }

    public long Requests => _count;

    public long Errors => _errors;

    public long ColdStarts => _coldStarts;

    public ReadOnlySpan<long> Buckets => _buckets;

    /// <summary>Adds another node's published slice: sums of counts, never averages of ratios.</summary>
    public void Add(HealthSlice slice)
    {
        _count += slice.Requests;
        _errors += slice.Errors;
        _coldStarts += slice.ColdStarts;
        for (var i = 0; i < _buckets.Length && i < slice.Buckets.Length; i++)
        {
            _buckets[i] += slice.Buckets[i];
        }
    }

    public WindowStats ToStats(TimeSpan window)
    {
        // Slots are read while writers add to them: the histogram may hold a call the count does not yet, or the reverse.
        long histogramTotal = 0;
        foreach (var count in _buckets)
        {
            histogramTotal += count;
        }

        return new WindowStats(
            WindowLabel(window),
            window.TotalSeconds,
            _count,
            _errors,
            _count / window.TotalSeconds,
            _count == 0 ? 0 : Math.Min(1, (double)_errors / _count),
            Milliseconds(LatencyBuckets.Quantile(_buckets, histogramTotal, 0.50)),
            Milliseconds(LatencyBuckets.Quantile(_buckets, histogramTotal, 0.95)),
            Milliseconds(LatencyBuckets.Quantile(_buckets, histogramTotal, 0.99)),
            _coldStarts);
    }

    /// <summary>The raw counts, for a consumer that does its own statistics.</summary>
    public VersionSample ToSample() => new(_count, _errors, _coldStarts, LatencyBuckets.UpperBoundsMs, [.. _buckets]);

    /// <summary><c>10s</c>, <c>1m</c>, <c>5m</c>, <c>1h</c>: how the API and the console name a window.</summary>
    public static string WindowLabel(TimeSpan window) =>
        window.TotalSeconds % 3600 == 0 ? $"{window.TotalHours:0}h"
        : window.TotalSeconds % 60 == 0 ? $"{window.TotalMinutes:0}m"
        : $"{window.TotalSeconds:0}s";

    private static double? Milliseconds(TimeSpan? value) => value is { } v ? Math.Round(v.TotalMilliseconds, 3) : null;
}
