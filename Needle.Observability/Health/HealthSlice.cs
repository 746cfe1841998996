namespace Needle.Observability.Health;

/// <summary>Another node's counts of one version over one published slice of time, read from the store.</summary>
internal sealed class HealthSlice(DateTimeOffset to, long requests, long errors, long coldStarts, long[] buckets)
{
    public DateTimeOffset To { get; } = to;

    public long Requests { get; } = requests;

    public long Errors { get; } = errors;

    public long ColdStarts { get; } = coldStarts;

    public long[] Buckets { get; } = buckets;
}
