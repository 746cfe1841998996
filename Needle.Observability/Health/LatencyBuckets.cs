namespace Needle.Observability.Health;

/// <summary>
/// Fixed latency buckets for the health windows: geometric, 25 % apart, from 0.1 ms to about a minute, so a
/// percentile read from them is within one bucket's width (about 12 % either way) of the true value.
/// </summary>
internal static class LatencyBuckets
{
    private const double Factor = 1.25;

    /// <summary>Upper bounds in ticks; the last bucket (index <see cref="Bounds"/>.Length) holds everything above.</summary>
    public static readonly long[] Bounds = CreateBounds();

    public static int Count => Bounds.Length + 1;

    /// <summary>Each bucket's upper bound in milliseconds; the last, open bucket's is infinity.</summary>
    public static readonly IReadOnlyList<double> UpperBoundsMs = [.. Bounds.Select(b => b / (double)TimeSpan.TicksPerMillisecond), double.PositiveInfinity];

    public static int IndexOf(TimeSpan duration)
    {
        var index = Array.BinarySearch(Bounds, duration.Ticks);
        return index >= 0 ? index : ~index;
    }

    /// <summary>The value at quantile <paramref name="q"/> of a bucket histogram, interpolated linearly within its bucket.</summary>
    public static TimeSpan? Quantile(ReadOnlySpan<long> counts, long total, double q)
    {
        if (total <= 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }

            if (seen + counts[i] >= rank)
            {
                var lower = i == 0 ? 0 : Bounds[i - 1];
                var upper = i < Bounds.Length ? Bounds[i] : (long)(Bounds[^1] * Factor);
                var fraction = (double)(rank - seen) / counts[i];
                return TimeSpan.FromTicks(lower + (long)((upper - lower) * fraction));
            }

            seen += counts[i];
        }

        return TimeSpan.FromTicks(Bounds[^1]);
    }

    private static long[] CreateBounds()
    {
        var bounds = new List<long>();
        for (double ticks = TimeSpan.TicksPerMillisecond / 10.0; ticks <= TimeSpan.TicksPerMinute; ticks *= Factor)
        {
            bounds.Add((long)Math.Round(ticks));
        }

        return [.. bounds];
    }
}
