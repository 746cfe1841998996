namespace Needle.Client;

/// <summary>Every function's health on the node that answered (<c>GET /health</c>, from Needle.Observability).</summary>
/// <param name="At">When it was read.</param>
/// <param name="NodeId">The node.</param>
/// <param name="AppliedRevision">The revision the node serves.</param>
/// <param name="Functions">Per function.</param>
public sealed record HealthSummary(DateTimeOffset At, string NodeId, long AppliedRevision, IReadOnlyList<FunctionHealth> Functions);
