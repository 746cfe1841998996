namespace Needle.Rollback.Plans;

/// <summary><c>POST /functions/{name}/plans</c>: release a version as canary through steps.</summary>
public sealed class PlanRequest
{
    /// <summary>The version to release (it becomes the canary).</summary>
    public int? Version { get; set; }

    /// <summary>Canary weights in percent, strictly increasing, each in (0, 100], the last 100 (promote). Example: <c>[1, 5, 20, 50, 100]</c>.</summary>
    public IReadOnlyList<double>? Steps { get; set; }

    /// <summary>How long each step runs before the gate is checked, in seconds (1 second to 1 day).</summary>
    public double? StepWaitSeconds { get; set; }

    /// <summary>Why; recorded on every release change the plan makes.</summary>
    public string? Reason { get; set; }
}
