using System.Globalization;
using System.Text;

namespace Needle.Observability.Health;

/// <summary>
/// The latency histogram as published to the store: sparse <c>bucket:count</c> pairs (<c>3:990,40:10</c>) over
/// <see cref="LatencyBuckets"/>, so a slice of a few requests costs a few characters.
/// </summary>
internal static class LatencyText
{
    public static string Format(ReadOnlySpan<long> counts)
    {
        var text = new StringBuilder();
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
            {
                text.Append(text.Length == 0 ? "" : ",").Append(i.ToString(CultureInfo.InvariantCulture)).Append(':').Append(counts[i].ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    /// <summary>Adds the pairs of <paramref name="text"/> to <paramref name="counts"/>; a pair it cannot read, or a bucket past the end, is skipped.</summary>
    public static void AddTo(string text, Span<long> counts)
    {
        foreach (var pair in text.AsSpan().Split(','))
        {
            var part = text.AsSpan()[pair];
            var colon = part.IndexOf(':');
            if (colon > 0
                && int.TryParse(part[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket)
                && long.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                && bucket < counts.Length)
            {
                counts[bucket] += count;
            }
        }
    }
}
