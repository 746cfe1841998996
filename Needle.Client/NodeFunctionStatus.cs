namespace Needle.Client;

/// <summary>The versions a node serves of one function (<see cref="NodeStatus.Functions"/>).</summary>
/// <param name="Name">The function name.</param>
/// <param name="StableVersion">The stable version it serves.</param>
/// <param name="CanaryVersion">The canary it serves beside it, if any.</param>
/// <param name="KillSwitchOn">Whether the kill switch is on there.</param>
public sealed record NodeFunctionStatus(string Name, int StableVersion, int? CanaryVersion, bool KillSwitchOn);
