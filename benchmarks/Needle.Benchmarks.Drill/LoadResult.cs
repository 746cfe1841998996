namespace Needle.Benchmarks.Drill;

/// <summary>One request of the steady load: when it finished, its status, the version that answered and how long it took.</summary>
internal readonly record struct LoadResult(TimeSpan At, int Status, string? Version, TimeSpan Duration);
