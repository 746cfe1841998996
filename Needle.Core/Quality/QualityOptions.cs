namespace Needle.Quality;

/// <summary>Host limits of the quality stage (a version's test cases). Part of <c>NeedleOptions.Quality</c>, validated at start.</summary>
public sealed class QualityOptions
{
    /// <summary>The most test cases one version may carry (1 to 10,000). Default: 100.</summary>
    public int MaxCases { get; set; } = 100;

    /// <summary>The largest one test case may be, as JSON, in KiB (1 to 65,536). Default: 256.</summary>
    public int MaxCaseKb { get; set; } = 256;

    /// <summary>
    /// How many versions' results are kept in memory by content hash, so a version whose source, manifest and cases
    /// are unchanged is not run again (0 to 100,000; 0 keeps none). Cases with <c>"live": true</c> are never kept.
    /// Default: 1,000.
    /// </summary>
    public int CachedResults { get; set; } = 1_000;
}
