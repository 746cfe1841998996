namespace Needle.Rollback.Guard;

/// <summary>The guard's verdict on a canary, with the numbers behind it.</summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Stable">The stable version's sample.</param>
/// <param name="Canary">The canary's sample.</param>
/// <param name="Reason">Why, in words and numbers, for the audit log.</param>
public sealed record GuardDecision(GuardVerdict Verdict, HealthSample Stable, HealthSample Canary, string Reason);
