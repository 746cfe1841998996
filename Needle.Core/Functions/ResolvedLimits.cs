namespace Needle.Functions;

/// <summary>The limits in force for one version: the manifest's values over the host defaults.</summary>
internal sealed record ResolvedLimits(
    TimeSpan Timeout,
    long MemoryBytes,
    int MaxStatements,
    int MaxRecursionDepth,
    int MaxConcurrency,
    long MaxRequestBodyBytes,
    long MaxFetchResponseBytes,
    long MaxResponseBytes,
    int MaxFetchesInFlight)
{
    public static ResolvedLimits Resolve(FunctionLimits? manifest, FunctionLimits defaults) => new(
        TimeSpan.FromMilliseconds(manifest?.TimeoutMs ?? defaults.TimeoutMs ?? 5_000),
        (manifest?.MemoryMb ?? defaults.MemoryMb ?? 64) * 1024L * 1024L,
        manifest?.MaxStatements ?? defaults.MaxStatements ?? 10_000_000,
        manifest?.MaxRecursionDepth ?? defaults.MaxRecursionDepth ?? 256,
        manifest?.MaxConcurrency ?? defaults.MaxConcurrency ?? 64,
        (manifest?.MaxRequestBodyKb ?? defaults.MaxRequestBodyKb ?? 1_024) * 1024L,
        (manifest?.MaxFetchResponseKb ?? defaults.MaxFetchResponseKb ?? 4_096) * 1024L,
        (manifest?.MaxResponseKb ?? defaults.MaxResponseKb ?? 8_192) * 1024L,
        manifest?.MaxFetchesInFlight ?? defaults.MaxFetchesInFlight ?? FunctionLimits.DefaultMaxFetchesInFlight);
}
