using Needle.Rollback.Guard;

namespace Needle.Rollback.Tests.Infrastructure;

/// <summary>Health samples with a latency histogram, for table tests of the pure policy.</summary>
internal static class Samples
{
    private static readonly double[] Bounds = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, double.PositiveInfinity];

    /// <summary>
    /// <paramref name="requests"/> requests of which <paramref name="errors"/> failed and <paramref name="coldStarts"/> were
    /// cold starts; of the warm ones, <paramref name="slow"/> took <paramref name="slowMs"/> and the rest <paramref name="warmMs"/>.
    /// </summary>
    public static HealthSample Of(long requests, long errors, long coldStarts = 0, long slow = 0, double slowMs = 150, double warmMs = 8)
    {
        var counts = new long[Bounds.Length];
        counts[BucketOf(slowMs)] += slow;
        counts[BucketOf(warmMs)] += requests - coldStarts - slow;
        var latency = new LatencyHistogram(Bounds, counts);
        return new HealthSample(requests, errors, latency.Quantile(0.99)) { ColdStarts = coldStarts, Latency = latency };
    }

    private static int BucketOf(double ms) => Array.FindIndex(Bounds, b => ms < b);
}
