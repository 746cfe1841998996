namespace Needle.Releases;

/// <summary>
/// Places a user in one of <see cref="Buckets"/> buckets per function, the same on every node and across restarts
/// (FNV-1a over the characters, then a 64-bit finaliser; not <see cref="string.GetHashCode()"/>, which is randomised
/// per process). A canary at weight w takes the buckets below w × 1,000, so raising the weight only adds users.
/// </summary>
public static class StickyHash
{
    /// <summary>The number of buckets: 100,000, so weights resolve to 0.001 %.</summary>
    public const int Buckets = 100_000;

    /// <summary>The bucket of <paramref name="key"/> for <paramref name="function"/>.</summary>
    public static int Bucket(string function, ReadOnlySpan<char> key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in function)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash = (hash ^ 0xFFFF) * 1099511628211UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        // FNV's low bits mix poorly for short keys; the MurmurHash3 finaliser spreads them.
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return (int)(hash % Buckets);
    }

    /// <summary>The bucket threshold of a canary weight in percent: buckets below it get the canary.</summary>
    public static int Threshold(double weightPercent) => (int)Math.Round(Math.Clamp(weightPercent, 0, 100) * (Buckets / 100.0));
}
