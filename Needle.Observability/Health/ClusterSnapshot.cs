using Needle.Store;

namespace Needle.Observability.Health;

/// <summary>
/// What the other live nodes published, as read from the store after this node's last publication: immutable, swapped
/// as a whole, so the guard and the API add it to this node's own windows without a lock or a store read.
/// </summary>
internal sealed class ClusterSnapshot
{
    private readonly Dictionary<(string Function, int Version), HealthSlice[]> _slices;

    private ClusterSnapshot(DateTimeOffset readAt, IReadOnlyList<HealthNodeRecord> nodes, Dictionary<(string Function, int Version), HealthSlice[]> slices)
    {
        ReadAt = readAt;
        Nodes = nodes;
        _slices = slices;
    }

    /// <summary>Nothing read yet: this node's figures alone.</summary>
    public static ClusterSnapshot Empty { get; } = new(DateTimeOffset.MinValue, [], []);

    /// <summary>When it was read; <see cref="DateTimeOffset.MinValue"/> before the first read.</summary>
    public DateTimeOffset ReadAt { get; }

    /// <summary>Every live node that published, this one included, by id.</summary>
    public IReadOnlyList<HealthNodeRecord> Nodes { get; }

    public IEnumerable<(string Function, int Version)> Keys => _slices.Keys;

    /// <summary>The published health of every live node but <paramref name="self"/>, whose own figures are read live.</summary>
    public static ClusterSnapshot From(PublishedHealth published, string self, DateTimeOffset readAt)
    {
        var slices = published.Windows
            .Where(w => w.NodeId != self)
            .GroupBy(w => (w.Function, w.Version))
            .ToDictionary(
                g => g.Key,
                g => g.Select(w =>
                {
                    var buckets = new long[LatencyBuckets.Count];
                    LatencyText.AddTo(w.Latency, buckets);
                    return new HealthSlice(w.To, w.Requests, w.Errors, w.ColdStarts, buckets);
                }).ToArray());
        return new ClusterSnapshot(readAt, published.Nodes, slices);
    }

    /// <summary>Adds the slices of one version that end after <paramref name="since"/>.</summary>
    public void AddTo(WindowSum sum, string function, int version, DateTimeOffset since)
    {
        if (!_slices.TryGetValue((function, version), out var slices))
        {
            return;
        }

        foreach (var slice in slices)
        {
            if (slice.To > since)
            {
                sum.Add(slice);
            }
        }
    }
}
