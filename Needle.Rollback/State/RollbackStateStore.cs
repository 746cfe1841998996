using System.Data;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Needle.Rollback.Patches;
using Needle.Rollback.Plans;
using Needle.Store;

namespace Needle.Rollback.State;

/// <summary>
/// Release plans and patch runs in the Needle SQLite database (tables from Core's migration 0005). Every change is a
/// compare-and-set on the row's status (and step), so a Hangfire job delivered twice changes the state at most once.
/// </summary>
internal sealed class RollbackStateStore(string connectionString)
{
    private const string PlanColumns = "id AS Id, function AS Function, version AS Version, steps AS Steps, step_wait_ms AS StepWaitMs, step_index AS StepIndex, status AS Status, next_at AS NextAt, actor AS Actor, reason AS Reason, detail AS Detail, created_at AS CreatedAt, updated_at AS UpdatedAt";
    private const string RunColumns = "id AS Id, function AS Function, kind AS Kind, request AS Request, idempotency_key AS IdempotencyKey, status AS Status, base_version AS BaseVersion, base_error_ratio AS BaseErrorRatio, version AS Version, watch_until AS WatchUntil, steps AS Steps, actor AS Actor, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public async Task InsertPlanAsync(ReleasePlan plan, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
        var running = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT id FROM release_plans WHERE function = @Function AND status = 'running' LIMIT 1", new { plan.Function }, transaction, cancellationToken: cancellationToken));
        if (running is not null)
        {
            throw new NeedleConflictException($"Function '{plan.Function}' already runs release plan {running}; cancel it first.");
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO release_plans (id, function, version, steps, step_wait_ms, step_index, status, next_at, actor, reason, detail, created_at, updated_at)
            VALUES (@Id, @Function, @Version, @Steps, @StepWaitMs, @StepIndex, @Status, @NextAt, @Actor, @Reason, @Detail, @CreatedAt, @UpdatedAt)
            """,
            PlanRow.From(plan),
            transaction,
            cancellationToken: cancellationToken));
        transaction.Commit();
    }

    public async Task<ReleasePlan?> GetPlanAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PlanRow>(new CommandDefinition($"SELECT {PlanColumns} FROM release_plans WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToPlan();
    }

    public async Task<ReleasePlan?> GetLatestPlanAsync(string function, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QueryFirstOrDefaultAsync<PlanRow>(new CommandDefinition(
            $"SELECT {PlanColumns} FROM release_plans WHERE function = @function ORDER BY (status = 'running') DESC, created_at DESC LIMIT 1", new { function }, cancellationToken: cancellationToken));
        return row?.ToPlan();
    }

    public async Task<IReadOnlyList<ReleasePlan>> ListRunningPlansAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<PlanRow>(new CommandDefinition($"SELECT {PlanColumns} FROM release_plans WHERE status = 'running'", cancellationToken: cancellationToken));
        return rows.Select(r => r.ToPlan()).ToList();
    }

    /// <summary>Writes <paramref name="plan"/> when the row still has the status and step it was read with; returns whether it did.</summary>
    public async Task<bool> UpdatePlanAsync(ReleasePlan plan, string expectedStatus, int expectedStep, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = PlanRow.From(plan);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE release_plans SET step_index = @StepIndex, status = @Status, next_at = @NextAt, detail = @Detail, updated_at = @UpdatedAt
            WHERE id = @Id AND status = @ExpectedStatus AND step_index = @ExpectedStep
            """,
            new { row.StepIndex, row.Status, row.NextAt, row.Detail, row.UpdatedAt, row.Id, ExpectedStatus = expectedStatus, ExpectedStep = expectedStep },
            cancellationToken: cancellationToken));
        return changed == 1;
    }

    /// <summary>
    /// Inserts a run, or returns the run already recorded under the same idempotency key. A run of the function still
    /// queued (validating, applying) refuses it; a run being watched is superseded in the same transaction (its watch
    /// ends, it will not revert) and returned, and the new run records that it supersedes it.
    /// </summary>
    public async Task<(PatchRun Run, bool Existing, PatchRun? Superseded)> InsertRunAsync(PatchRun run, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
        if (run.IdempotencyKey is not null)
        {
            var known = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
                $"SELECT {RunColumns} FROM patch_runs WHERE function = @Function AND idempotency_key = @IdempotencyKey", new { run.Function, run.IdempotencyKey }, transaction, cancellationToken: cancellationToken));
            if (known is not null)
            {
                return (known.ToRun(), true, null);
            }
        }

        var active = (await connection.QueryFirstOrDefaultAsync<RunRow>(new CommandDefinition(
            $"SELECT {RunColumns} FROM patch_runs WHERE function = @Function AND status IN ('queued', 'watching') ORDER BY status = 'queued' DESC LIMIT 1", new { run.Function }, transaction, cancellationToken: cancellationToken)))?.ToRun();
        PatchRun? superseded = null;
        if (active is { Status: PatchRun.Queued })
        {
            throw new NeedleConflictException($"Patch {active.Id} for '{run.Function}' is still being applied; wait until its version serves (GET /patches/{active.Id}), then patch against it.");
        }

        if (active is { Status: PatchRun.Watching })
        {
            var at = run.CreatedAt;
            superseded = active with
            {
                Status = PatchRun.Superseded,
                Steps = [.. active.Steps, new PatchRunStep("superseded", at, $"by patch {run.Id} against version {run.BaseVersion}; the watch ends and version {active.Version} is not reverted automatically")],
                UpdatedAt = at,
            };
            run = run with { Steps = [.. run.Steps, new PatchRunStep("supersedes", at, $"patch {active.Id} (version {active.Version}), which was being watched")] };
            var row = RunRow.From(superseded);
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE patch_runs SET status = @Status, steps = @Steps, updated_at = @UpdatedAt WHERE id = @Id AND status = 'watching'",
                new { row.Status, row.Steps, row.UpdatedAt, row.Id },
                transaction,
                cancellationToken: cancellationToken));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO patch_runs (id, function, kind, request, idempotency_key, status, base_version, base_error_ratio, version, watch_until, steps, actor, created_at, updated_at)
            VALUES (@Id, @Function, @Kind, @Request, @IdempotencyKey, @Status, @BaseVersion, @BaseErrorRatio, @Version, @WatchUntil, @Steps, @Actor, @CreatedAt, @UpdatedAt)
            """,
            RunRow.From(run),
            transaction,
            cancellationToken: cancellationToken));
        transaction.Commit();
        return (run, false, superseded);
    }

    public async Task<PatchRun?> GetRunAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition($"SELECT {RunColumns} FROM patch_runs WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToRun();
    }

    public async Task<PatchRun?> FindRunByKeyAsync(string function, string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            $"SELECT {RunColumns} FROM patch_runs WHERE function = @function AND idempotency_key = @key", new { function, key }, cancellationToken: cancellationToken));
        return row?.ToRun();
    }

    public async Task<IReadOnlyList<PatchRun>> ListActiveRunsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition($"SELECT {RunColumns} FROM patch_runs WHERE status IN ('queued', 'watching')", cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRun()).ToList();
    }

    /// <summary>Writes <paramref name="run"/> when the row still has <paramref name="expectedStatus"/>; returns whether it did.</summary>
    public async Task<bool> UpdateRunAsync(PatchRun run, string expectedStatus, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = RunRow.From(run);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE patch_runs SET status = @Status, base_error_ratio = @BaseErrorRatio, version = @Version, watch_until = @WatchUntil, steps = @Steps, updated_at = @UpdatedAt
            WHERE id = @Id AND status = @ExpectedStatus
            """,
            new { row.Status, row.BaseErrorRatio, row.Version, row.WatchUntil, row.Steps, row.UpdatedAt, row.Id, ExpectedStatus = expectedStatus },
            cancellationToken: cancellationToken));
        return changed == 1;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;", cancellationToken: cancellationToken));
        return connection;
    }

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private sealed class PlanRow
    {
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
            NextAt = Time(plan.NextAt),
            Actor = plan.Actor,
            Reason = plan.Reason,
            Detail = plan.Detail,
            CreatedAt = Time(plan.CreatedAt),
            UpdatedAt = Time(plan.UpdatedAt),
        };

        public ReleasePlan ToPlan() => new(
            Id,
            Function,
            (int)Version,
            JsonSerializer.Deserialize<double[]>(Steps) ?? [],
            TimeSpan.FromMilliseconds(StepWaitMs),
            (int)StepIndex,
            Status,
            Time(NextAt),
            Actor,
            Reason,
            Detail,
            Time(CreatedAt),
            Time(UpdatedAt));
    }

    private sealed class RunRow
    {
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
            WatchUntil = run.WatchUntil is { } until ? Time(until) : null,
            Steps = JsonSerializer.Serialize(run.Steps),
            Actor = run.Actor,
            CreatedAt = Time(run.CreatedAt),
            UpdatedAt = Time(run.UpdatedAt),
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
            WatchUntil is { } until ? Time(until) : null,
            JsonSerializer.Deserialize<PatchRunStep[]>(Steps) ?? [],
            Actor,
            Time(CreatedAt),
            Time(UpdatedAt));
    }
}
