namespace Needle.Rollback.Guard;

/// <summary>The guard's verdict on a canary, with the numbers and the tests behind it.</summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Stable">The stable version's sample.</param>
/// <param name="Canary">The canary's sample.</param>
/// <param name="Reason">Why, in words and numbers (with the test and its p-value), for the audit log and the console.</param>
/// <param name="Errors">The error rule's numbers.</param>
/// <param name="Latency">The latency rule's numbers.</param>
public sealed record GuardDecision(GuardVerdict Verdict, HealthSample Stable, HealthSample Canary, string Reason, ErrorEvidence Errors, LatencyEvidence Latency);
