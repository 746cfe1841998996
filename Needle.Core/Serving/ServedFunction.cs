namespace Needle.Serving;

/// <summary>One function as this node serves it.</summary>
/// <param name="Name">The function name.</param>
/// <param name="StableVersion">The stable version that serves.</param>
/// <param name="CanaryVersion">The canary that serves, if any.</param>
/// <param name="CanaryWeight">The canary's share of traffic in percent.</param>
/// <param name="LoadedVersions">Every loaded version: stable, canary and warm standbys.</param>
/// <param name="KillSwitchOn">Whether the kill switch is on: every request gets the fallback response, no version runs.</param>
public sealed record ServedFunction(string Name, int StableVersion, int? CanaryVersion, double CanaryWeight, IReadOnlyList<int> LoadedVersions, bool KillSwitchOn = false);
