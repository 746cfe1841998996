namespace Needle.Client;

/// <summary>A function's health windows on one node.</summary>
/// <param name="Function">The function.</param>
/// <param name="StableVersion">Its stable version.</param>
/// <param name="CanaryVersion">Its canary version.</param>
/// <param name="Windows">Its windows, shortest first.</param>
public sealed record FunctionHealth(string Function, int? StableVersion, int? CanaryVersion, IReadOnlyList<HealthWindow> Windows);
