namespace Needle.Nodes;

/// <summary>The versions a node serves of one function, as its last heartbeat recorded them.</summary>
/// <param name="Name">The function name.</param>
/// <param name="StableVersion">The stable version it serves.</param>
/// <param name="CanaryVersion">The canary it serves beside the stable version, if any.</param>
/// <param name="KillSwitchOn">Whether the kill switch is on there: every request gets the fallback response.</param>
public sealed record NodeFunction(string Name, int StableVersion, int? CanaryVersion, bool KillSwitchOn);
