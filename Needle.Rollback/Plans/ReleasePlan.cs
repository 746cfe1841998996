namespace Needle.Rollback.Plans;

/// <summary>A progressive release: a canary that moves through weights, one step per wait, while the guard's gate passes.</summary>
/// <param name="Id">The plan's id.</param>
/// <param name="Function">The function.</param>
/// <param name="Version">The canary version the plan releases.</param>
/// <param name="Steps">Canary weights in percent, strictly increasing; the last is 100 (promote).</param>
/// <param name="StepWait">How long each step runs before the gate is checked.</param>
/// <param name="StepIndex">The step that serves now (an index into <paramref name="Steps"/>).</param>
/// <param name="Status"><c>running</c>, <c>completed</c>, <c>cancelled</c>, <c>rolled-back</c> or <c>aborted</c>.</param>
/// <param name="NextAt">When the next step is due (for a running plan).</param>
/// <param name="Actor">Who started it.</param>
/// <param name="Reason">Why.</param>
/// <param name="Detail">The last thing the plan did or waited for.</param>
/// <param name="CreatedAt">When it started.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record ReleasePlan(
    string Id,
    string Function,
    int Version,
    IReadOnlyList<double> Steps,
    TimeSpan StepWait,
    int StepIndex,
    string Status,
    DateTimeOffset NextAt,
    string Actor,
    string? Reason,
    string? Detail,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The status of a plan still in progress.</summary>
    public const string Running = "running";

    /// <summary>The weight the canary serves at now, in percent.</summary>
    public double CurrentWeight => Steps[StepIndex];
}
