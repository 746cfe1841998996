namespace Needle.Rollback.Guard;

/// <summary>
/// The latencies of a version's warm requests (cold starts left out) over a window, as bucket counts: what the guard
/// needs to read a percentile and to count the requests that were definitely slower than a limit.
/// </summary>
public sealed class LatencyHistogram
{
    private readonly double[] _upperMs;
    private readonly long[] _counts;

    /// <summary>Creates a histogram from bucket upper bounds (ascending, in milliseconds) and their counts.</summary>
    /// <param name="upperBoundsMs">Each bucket's upper bound; the last may be <see cref="double.PositiveInfinity"/> for everything above.</param>
    /// <param name="counts">Requests per bucket, as many as there are bounds.</param>
    public LatencyHistogram(IReadOnlyList<double> upperBoundsMs, IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(upperBoundsMs);
        ArgumentNullException.ThrowIfNull(counts);
        if (upperBoundsMs.Count != counts.Count || counts.Count == 0)
        {
            throw new ArgumentException("A latency histogram needs one count per bucket bound, and at least one bucket.", nameof(counts));
        }

        _upperMs = [.. upperBoundsMs];
        _counts = [.. counts];
        foreach (var count in _counts)
        {
            Count += count;
        }
    }

    /// <summary>The requests in the histogram.</summary>
    public long Count { get; }

    /// <summary>
    /// The latency at quantile <paramref name="q"/> (0.99 = p99), read as the upper bound of the bucket that holds
    /// that rank (for the last, open bucket: its lower bound); 0 when empty.
    /// </summary>
    public double Quantile(double q)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return double.IsPositiveInfinity(_upperMs[i]) ? LowerBound(i) : _upperMs[i];
            }
        }

        return LowerBound(_counts.Length - 1);
    }

    /// <summary>
    /// The requests that certainly took at least <paramref name="ms"/>: those in buckets whose lower bound is at or above
    /// it. A bucket that straddles the limit is not counted, so the count never overstates the evidence.
    /// </summary>
    public long CountAtOrAbove(double ms)
    {
        long above = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            if (LowerBound(i) >= ms)
            {
                above += _counts[i];
            }
        }

        return above;
    }

    private double LowerBound(int bucket) => bucket == 0 ? 0 : _upperMs[bucket - 1];
}
