namespace Needle.Store;

/// <summary>Where a new version goes as a canary.</summary>
/// <param name="StableVersion">The stable version it runs beside.</param>
/// <param name="Weight">Its share of traffic in percent.</param>
/// <param name="Pins">User keys that always get it.</param>
/// <param name="ExpectedReleaseId">The release it replaces; if another change came first, nothing is written.</param>
public sealed record CanaryPlacement(int StableVersion, double Weight, IReadOnlyList<string>? Pins, long ExpectedReleaseId);
