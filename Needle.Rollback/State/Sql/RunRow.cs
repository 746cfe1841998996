using System.Text.Json;
using Needle.Rollback.Patches;

namespace Needle.Rollback.State.Sql;

/// <summary>A <c>patch_runs</c> row as Dapper reads and writes it.</summary>
internal sealed class RunRow
{
    public const string Columns = "id AS Id, function AS Function, kind AS Kind, request AS Request, idempotency_key AS IdempotencyKey, status AS Status, base_version AS BaseVersion, base_error_ratio AS BaseErrorRatio, version AS Version, watch_until AS WatchUntil, steps AS Steps, actor AS Actor, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public string Id { get; set; } = "";

    public string Function { get; set; } = "";

    public string Kind { get; set; } = "";

    public string Request { get; set; } = "";

    public string? IdempotencyKey { get; set; }

    public string Status { get; set; } = "";

    public long BaseVersion { get; set; }

    public double? BaseErrorRatio { get; set; }

    public long? Version { get; set; }

    public string? WatchUntil { get; set; }

    public string Steps { get; set; } = "[]";

    public string Actor { get; set; } = "";

    public string CreatedAt { get; set; } = "";

    public string UpdatedAt { get; set; } = "";

    public static RunRow From(PatchRun run) => new()
    {
        Id = run.Id,
        Function = run.Function,
        Kind = run.Kind,
        Request = run.Request,
        IdempotencyKey = run.IdempotencyKey,
        Status = run.Status,
        BaseVersion = run.BaseVersion,
        BaseErrorRatio = run.BaseErrorRatio,
        Version = run.Version,
        WatchUntil = run.WatchUntil is { } until ? StateTime.Time(until) : null,
        Steps = JsonSerializer.Serialize(run.Steps),
        Actor = run.Actor,
        CreatedAt = StateTime.Time(run.CreatedAt),
        UpdatedAt = StateTime.Time(run.UpdatedAt),
    };

    public PatchRun ToRun() => new(
        Id,
        Function,
        Kind,
        Request,
        IdempotencyKey,
        Status,
        (int)BaseVersion,
        BaseErrorRatio,
        Version is { } version ? (int)version : null,
        WatchUntil is { } until ? StateTime.Time(until) : null,
        JsonSerializer.Deserialize<PatchRunStep[]>(Steps) ?? [],
        Actor,
        StateTime.Time(CreatedAt),
        StateTime.Time(UpdatedAt));
}
