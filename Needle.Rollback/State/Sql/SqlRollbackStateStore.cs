using System.Data.Common;
using Dapper;
using Needle.Rollback.Patches;
using Needle.Rollback.Plans;
using Needle.Store;

namespace Needle.Rollback.State.Sql;

/// <summary>
/// Release plans and patch runs in the Needle store's database, beside Needle's own tables: one Dapper store over
/// <see cref="DbConnection"/>, the same statements on every database; a dialect (SQLite, PostgreSQL) says only how to
/// connect, how a change of one function's rows is serialised, and how its migrations apply. The schema is
/// Needle.Rollback's own (embedded migrations with the same numbers per dialect, recorded in <c>rollback_schema_version</c>),
/// applied once before the first read or write. Every change is a compare-and-set on the row's status (and step), so a
/// Hangfire job delivered twice, or to two nodes, changes the state at most once.
/// </summary>
internal abstract class SqlRollbackStateStore : IRollbackStateStore
{
    /// <summary>The table that records Needle.Rollback's applied migrations, on every database.</summary>
    protected const string VersionTable = "rollback_schema_version";

    private Lazy<Task> _initialized;

    protected SqlRollbackStateStore()
    {
        // Once per store, whoever asks first; a failure is not kept, so the next call tries again.
        _initialized = NewInitialization();
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _initialized.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ResetFailedInitialization();
            throw;
        }
    }

    public async Task InsertPlanAsync(ReleasePlan plan, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, plan.Function, cancellationToken);
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
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<ReleasePlan?> GetPlanAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PlanRow>(new CommandDefinition($"SELECT {PlanRow.Columns} FROM release_plans WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToPlan();
    }

    public async Task<ReleasePlan?> GetLatestPlanAsync(string function, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QueryFirstOrDefaultAsync<PlanRow>(new CommandDefinition(
            $"SELECT {PlanRow.Columns} FROM release_plans WHERE function = @function ORDER BY (status = 'running') DESC, created_at DESC LIMIT 1", new { function }, cancellationToken: cancellationToken));
        return row?.ToPlan();
    }

    public async Task<IReadOnlyList<ReleasePlan>> ListRunningPlansAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<PlanRow>(new CommandDefinition($"SELECT {PlanRow.Columns} FROM release_plans WHERE status = 'running'", cancellationToken: cancellationToken));
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
        await using var transaction = await BeginWriteAsync(connection, run.Function, cancellationToken);
        if (run.IdempotencyKey is not null)
        {
            var known = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
                $"SELECT {RunRow.Columns} FROM patch_runs WHERE function = @Function AND idempotency_key = @IdempotencyKey", new { run.Function, run.IdempotencyKey }, transaction, cancellationToken: cancellationToken));
            if (known is not null)
            {
                return (known.ToRun(), true, null);
            }
        }

        var active = (await connection.QueryFirstOrDefaultAsync<RunRow>(new CommandDefinition(
            $"SELECT {RunRow.Columns} FROM patch_runs WHERE function = @Function AND status IN ('queued', 'watching') ORDER BY status = 'queued' DESC LIMIT 1", new { run.Function }, transaction, cancellationToken: cancellationToken)))?.ToRun();
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
        await transaction.CommitAsync(cancellationToken);
        return (run, false, superseded);
    }

    public async Task<PatchRun?> GetRunAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition($"SELECT {RunRow.Columns} FROM patch_runs WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToRun();
    }

    public async Task<PatchRun?> FindRunByKeyAsync(string function, string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            $"SELECT {RunRow.Columns} FROM patch_runs WHERE function = @function AND idempotency_key = @key", new { function, key }, cancellationToken: cancellationToken));
        return row?.ToRun();
    }

    public async Task<IReadOnlyList<PatchRun>> ListActiveRunsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition($"SELECT {RunRow.Columns} FROM patch_runs WHERE status IN ('queued', 'watching')", cancellationToken: cancellationToken));
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

    /// <summary>Opens a connection to the database.</summary>
    protected abstract Task<DbConnection> ConnectAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Begins a transaction that changes <paramref name="function"/>'s plans or runs: a check-then-insert inside it is
    /// serialised against every other writer of that function, in this process and in every other.
    /// </summary>
    protected abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, string function, CancellationToken cancellationToken);

    /// <summary>Applies the dialect's missing migrations on an open connection; several processes at once apply each once.</summary>
    protected abstract Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken);

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task MigrateAsync()
    {
        await using var connection = await ConnectAsync(CancellationToken.None).ConfigureAwait(false);
        await MigrateAsync(connection, CancellationToken.None).ConfigureAwait(false);
    }

    private Lazy<Task> NewInitialization() => new(MigrateAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private void ResetFailedInitialization()
    {
        // Lazy<T> keeps a faulted task; start over so a database that comes back is migrated on the next call.
        var failed = _initialized;
        if (failed.IsValueCreated && failed.Value.IsFaulted)
        {
            Interlocked.CompareExchange(ref _initialized, NewInitialization(), failed);
        }
    }
}
