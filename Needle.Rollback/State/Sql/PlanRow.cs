using System.Text.Json;
using Needle.Rollback.Plans;

namespace Needle.Rollback.State.Sql;

/// <summary>A <c>release_plans</c> row as Dapper reads and writes it.</summary>
internal sealed class PlanRow
{
    public const string Columns = "id AS Id, function AS Function, version AS Version, steps AS Steps, step_wait_ms AS StepWaitMs, step_index AS StepIndex, status AS Status, next_at AS NextAt, actor AS Actor, reason AS Reason, detail AS Detail, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public string Id { get; set; } = "";

    public string Function { get; set; } = "";

    public long Version { get; set; }

    public string Steps { get; set; } = "[]";

    public long StepWaitMs { get; set; }

    public long StepIndex { get; set; }

    public string Status { get; set; } = "";

    public string NextAt { get; set; } = "";

    public string Actor { get; set; } = "";

    public string? Reason { get; set; }

    public string? Detail { get; set; }

    public string CreatedAt { get; set; } = "";

    public string UpdatedAt { get; set; } = "";

    public static PlanRow From(ReleasePlan plan) => new()
    {
        Id = plan.Id,
        Function = plan.Function,
        Version = plan.Version,
        Steps = JsonSerializer.Serialize(plan.Steps),
        StepWaitMs = (long)plan.StepWait.TotalMilliseconds,
        StepIndex = plan.StepIndex,
        Status = plan.Status,
        NextAt = StateTime.Time(plan.NextAt),
        Actor = plan.Actor,
        Reason = plan.Reason,
        Detail = plan.Detail,
        CreatedAt = StateTime.Time(plan.CreatedAt),
        UpdatedAt = StateTime.Time(plan.UpdatedAt),
    };

    public ReleasePlan ToPlan() => new(
        Id,
        Function,
        (int)Version,
        JsonSerializer.Deserialize<double[]>(Steps) ?? [],
        TimeSpan.FromMilliseconds(StepWaitMs),
        (int)StepIndex,
        Status,
        StateTime.Time(NextAt),
        Actor,
        Reason,
        Detail,
        StateTime.Time(CreatedAt),
        StateTime.Time(UpdatedAt));
}
