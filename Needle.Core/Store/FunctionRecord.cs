namespace Needle.Store;

/// <summary>A function with its current release.</summary>
/// <param name="Name">The function name.</param>
/// <param name="CreatedAt">When it was first deployed.</param>
/// <param name="LatestVersion">The highest version number.</param>
/// <param name="Release">The current release, or <see langword="null"/> when no version was activated yet.</param>
public sealed record FunctionRecord(string Name, DateTimeOffset CreatedAt, int LatestVersion, ReleaseRecord? Release);
