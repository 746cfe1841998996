namespace Needle.Rollback.Guard;

/// <summary>What the guard decided about one canary, and whether it rolled it back.</summary>
/// <param name="Function">The function.</param>
/// <param name="StableVersion">Its stable version.</param>
/// <param name="CanaryVersion">The canary judged.</param>
/// <param name="Decision">The verdict with its numbers.</param>
/// <param name="RolledBack">Whether this evaluation rolled the canary back.</param>
public sealed record GuardResult(string Function, int StableVersion, int CanaryVersion, GuardDecision Decision, bool RolledBack);
