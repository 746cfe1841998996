using Needle.Hosting;

namespace Needle.Functions;

/// <summary>The limits in force for one version: the manifest's values over the host defaults, each capped at the host maximum.</summary>
internal sealed record ResolvedLimits(
    TimeSpan Timeout,
    long MemoryBytes,
    int MaxStatements,
    int MaxRecursionDepth,
    int MaxConcurrency,
    long MaxRequestBodyBytes,
    long MaxFetchResponseBytes,
    long MaxResponseBytes,
    int MaxLogLines,
    long MaxLogBytes,
    int MaxFetchesInFlight)
{
    /// <summary>Resolves with the host's defaults and maximums.</summary>
    public static ResolvedLimits Resolve(FunctionLimits? manifest, NeedleOptions options) =>
        Resolve(manifest, options.DefaultLimits, options.MaxLimits);

    /// <summary>
    /// Resolves a manifest's limits. A stored version deployed before the host lowered a maximum is capped here, so no
    /// manifest runs with more than the host allows now.
    /// </summary>
    public static ResolvedLimits Resolve(FunctionLimits? manifest, FunctionLimits defaults, FunctionLimits? maximums = null) => new(
        TimeSpan.FromMilliseconds(Cap(manifest?.TimeoutMs ?? defaults.TimeoutMs ?? 5_000, maximums?.TimeoutMs)),
        Cap(manifest?.MemoryMb ?? defaults.MemoryMb ?? 64, maximums?.MemoryMb) * 1024L * 1024L,
        Cap(manifest?.MaxStatements ?? defaults.MaxStatements ?? 10_000_000, maximums?.MaxStatements),
        Cap(manifest?.MaxRecursionDepth ?? defaults.MaxRecursionDepth ?? 256, maximums?.MaxRecursionDepth),
        Cap(manifest?.MaxConcurrency ?? defaults.MaxConcurrency ?? 64, maximums?.MaxConcurrency),
        Cap(manifest?.MaxRequestBodyKb ?? defaults.MaxRequestBodyKb ?? 1_024, maximums?.MaxRequestBodyKb) * 1024L,
        Cap(manifest?.MaxFetchResponseKb ?? defaults.MaxFetchResponseKb ?? 4_096, maximums?.MaxFetchResponseKb) * 1024L,
        Cap(manifest?.MaxResponseKb ?? defaults.MaxResponseKb ?? 8_192, maximums?.MaxResponseKb) * 1024L,
        Cap(manifest?.MaxLogLines ?? defaults.MaxLogLines ?? 200, maximums?.MaxLogLines),
        Cap(manifest?.MaxLogKb ?? defaults.MaxLogKb ?? 256, maximums?.MaxLogKb) * 1024L,
        Cap(manifest?.MaxFetchesInFlight ?? defaults.MaxFetchesInFlight ?? FunctionLimits.DefaultMaxFetchesInFlight, maximums?.MaxFetchesInFlight));

    // 0 means "no limit" for statements and recursion; a maximum turns it into the maximum.
    private static int Cap(int value, int? maximum) =>
        maximum is not { } max || (value != 0 && value <= max) ? value : max;
}
