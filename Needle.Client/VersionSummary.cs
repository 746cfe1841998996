namespace Needle.Client;

/// <summary>One version in a function's list.</summary>
/// <param name="Number">The version number.</param>
/// <param name="ContentHash">SHA-256 of source and manifest; a patch names it as its base.</param>
/// <param name="Author">Who deployed it.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="Parent">The version it patches, for a patch.</param>
/// <param name="TestsSkipped">Each time it took a role without its test cases running (<c>skipTests</c>), newest first; empty when never.</param>
public sealed record VersionSummary(int Number, string ContentHash, string Author, DateTimeOffset CreatedAt, int? Parent, IReadOnlyList<SkippedTests>? TestsSkipped = null);
