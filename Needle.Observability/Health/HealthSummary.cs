namespace Needle.Observability.Health;

/// <summary>Every function this node serves or served within the widest window.</summary>
/// <param name="At">When the figures were read.</param>
/// <param name="NodeId">This node.</param>
/// <param name="AppliedRevision">The store revision this node serves.</param>
/// <param name="Windows">The window names, shortest first.</param>
/// <param name="Functions">One entry per function, by name.</param>
public sealed record HealthSummary(DateTimeOffset At, string NodeId, long AppliedRevision, IReadOnlyList<string> Windows, IReadOnlyList<FunctionHealth> Functions);
