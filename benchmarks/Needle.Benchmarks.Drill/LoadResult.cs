namespace Needle.Benchmarks.Drill;

/// <summary>One request of the steady load: when it finished, its status and the version that answered.</summary>
internal readonly record struct LoadResult(TimeSpan At, int Status, string? Version);
