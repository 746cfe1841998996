namespace Needle.Rollback.Guard;

/// <summary>
/// Exact one-sided tests on counts, so the guard's p-values can be checked by hand (for example with
/// <c>scipy.stats.fisher_exact(table, alternative="greater")</c> or <c>scipy.stats.binomtest(x, n, p, alternative="greater")</c>).
/// </summary>
internal static class Significance
{
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>
    /// One-sided Fisher's exact test: the probability, if both groups shared one rate, that group A would hold at least
    /// <paramref name="hitsA"/> of all the hits, given both group sizes (the hypergeometric upper tail).
    /// </summary>
    public static double FisherGreater(long hitsA, long sizeA, long hitsB, long sizeB)
    {
        if (sizeA <= 0 || sizeB <= 0)
        {
            return 1;
        }

        var total = sizeA + sizeB;
        var hits = hitsA + hitsB;
        var low = Math.Max(0, sizeA - (total - hits));
        var high = Math.Min(hits, sizeA);
        if (hitsA <= low)
        {
            return 1;
        }

        // Start at hitsA and walk up the tail with the pmf ratio; the terms fall fast past the mode.
        var term = Math.Exp(LogChoose(hits, hitsA) + LogChoose(total - hits, sizeA - hitsA) - LogChoose(total, sizeA));
        var sum = 0.0;
        for (var x = hitsA; x <= high; x++)
        {
            sum += term;
            var ratio = (double)(hits - x) * (sizeA - x) / ((x + 1.0) * (total - hits - sizeA + x + 1.0));
            term *= ratio;
            if (ratio < 1 && term <= sum * 1e-16)
            {
                break;
            }
        }

        return double.IsNaN(sum) ? 1 : Math.Min(1, sum);
    }

    /// <summary>One-sided exact binomial test: the probability of at least <paramref name="hits"/> in <paramref name="size"/> trials at rate <paramref name="rate"/>.</summary>
    public static double BinomialGreater(long hits, long size, double rate)
    {
        if (hits <= 0)
        {
            return 1;
        }

        if (hits > size || rate <= 0)
        {
            return 0;
        }

        if (rate >= 1)
        {
            return 1;
        }

        var odds = rate / (1 - rate);
        var term = Math.Exp(LogChoose(size, hits) + (hits * Math.Log(rate)) + ((size - hits) * Math.Log(1 - rate)));
        var sum = 0.0;
        for (var x = hits; x <= size; x++)
        {
            sum += term;
            var ratio = (double)(size - x) / (x + 1.0) * odds;
            term *= ratio;
            if (ratio < 1 && term <= sum * 1e-16)
            {
                break;
            }
        }

        return double.IsNaN(sum) ? 1 : Math.Min(1, sum);
    }

    private static double LogChoose(long n, long k) => LogGamma(n + 1.0) - LogGamma(k + 1.0) - LogGamma(n - k + 1.0);

    // Lanczos approximation (g = 7, 9 terms): about 15 significant digits, plenty for a p-value.
    private static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        x -= 1;
        var a = Lanczos[0];
        var t = x + 7.5;
        for (var i = 1; i < Lanczos.Length; i++)
        {
            a += Lanczos[i] / (x + i);
        }

        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(a);
    }
}
