using Needle.Functions;
using Needle.Rollback.Guard;

namespace Needle.Rollback.Hosting;

/// <summary>Options of Needle.Rollback, set through <c>AddRollback(o =&gt; ...)</c> and validated at start.</summary>
public sealed class RollbackOptions
{
    /// <summary>The schema Needle.Rollback's Hangfire tables go in on PostgreSQL unless <see cref="UsePostgresStorage"/> names another.</summary>
    public const string DefaultPostgresSchema = "needle_jobs";

    /// <summary>
    /// Where jobs are kept. Default: <see cref="RollbackStorage.Automatic"/>: PostgreSQL (the Needle store's database,
    /// schema <see cref="DefaultPostgresSchema"/>) when the Needle store is PostgreSQL, else a SQLite file.
    /// </summary>
    public RollbackStorage Storage { get; private set; } = RollbackStorage.Automatic;

    /// <summary>The Hangfire SQLite file when <see cref="Storage"/> is SQLite. Default: <c>needle-jobs.db</c> beside the Needle store's database (or in the content root).</summary>
    public string? SqlitePath { get; private set; }

    /// <summary>The PostgreSQL database of the jobs when <see cref="Storage"/> is PostgreSQL. Default: the Needle store's database.</summary>
    public string? PostgresConnectionString { get; private set; }

    /// <summary>The schema of the Hangfire tables on PostgreSQL (created when missing). Default: <see cref="DefaultPostgresSchema"/> (<c>needle_jobs</c>).</summary>
    public string PostgresSchema { get; private set; } = DefaultPostgresSchema;

    /// <summary>The thresholds the guard, release plans and patch watches use. Each default is stated on <see cref="GuardOptions"/>.</summary>
    public GuardOptions Guard { get; set; } = new();

    /// <summary>
    /// Per-function guard thresholds, by function name, replacing <see cref="Guard"/> for that function. A version's
    /// manifest <c>guard</c> section overrides these field by field (see <see cref="GuardFor(string, FunctionGuard)"/>). Default: none.
    /// </summary>
    public IDictionary<string, GuardOptions> FunctionGuards { get; } = new Dictionary<string, GuardOptions>(StringComparer.Ordinal);

    /// <summary>
    /// Whether the guard watches canaries and rolls them back by itself. Off, neither its loop nor the recurring
    /// <c>needle-guard</c> backstop judges a canary (the backstop still resumes release plans and patch watches); a
    /// person rolls back. Default: <see langword="true"/>.
    /// </summary>
    public bool GuardEnabled { get; set; } = true;

    /// <summary>How often the guard re-evaluates every canary on its own, between the prompt checks that errors trigger. Default: 2 seconds.</summary>
    public TimeSpan GuardInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>After an error is seen, how long the guard waits to gather more before it evaluates (debounce). Default: 200 ms.</summary>
    public TimeSpan GuardDebounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The cron expression of the recurring backstop job <c>needle-guard</c>. Default: every minute.</summary>
    public string GuardCron { get; set; } = "* * * * *";

    /// <summary>How long an emergency patch is watched before it is kept. Default: 2 minutes.</summary>
    public TimeSpan PatchWatchWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A patch is reverted when its error ratio exceeds the replaced version's by this much (0.05 = 5 points). Default: 0.05.</summary>
    public double PatchRevertDelta { get; set; } = 0.05;

    /// <summary>How often Hangfire looks for delayed jobs that are due (release plan steps, patch watch ends). Default: 5 seconds.</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often each worker polls the queue (SQLite or PostgreSQL) for new jobs: a queued rollback or patch starts at
    /// most this late, so it stays far inside the one-minute rollback promise (at most 30 seconds is accepted).
    /// Hangfire.PostgreSql's own default is 15 seconds. Default: 1 second.
    /// </summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// On PostgreSQL, how old a distributed lock must be before another node may take it (Hangfire.PostgreSql's
    /// <c>DistributedLockTimeout</c>; its default is 10 minutes). A node that crashes while holding a lock (the recurring
    /// jobs' scheduler, a release plan's step) blocks that work on every node for up to this long; every lock Needle
    /// takes is held for seconds, so the default is short: 1 minute (at least 10 seconds, at most 10 minutes).
    /// </summary>
    public TimeSpan DistributedLockTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Hangfire workers of Needle.Rollback's own server. Default: 4.</summary>
    public int WorkerCount { get; set; } = 4;

    /// <summary>Keeps jobs in a SQLite file (the default).</summary>
    /// <param name="path">The file; default: <c>needle-jobs.db</c> beside <c>needle.db</c>.</param>
    public RollbackOptions UseSqliteStorage(string? path = null)
    {
        Storage = RollbackStorage.Sqlite;
        SqlitePath = path;
        return this;
    }

    /// <summary>
    /// Keeps jobs in PostgreSQL through Hangfire.PostgreSql, shared by every node of a cluster: each job (a release plan
    /// step, a patch run, an occurrence of the recurring backstop) runs on one node. The tables go in their own schema.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string; default: the Needle store's database (when it is PostgreSQL).</param>
    /// <param name="schema">The schema of the Hangfire tables; default: <c>needle_jobs</c>.</param>
    public RollbackOptions UsePostgresStorage(string? connectionString = null, string schema = DefaultPostgresSchema)
    {
        Storage = RollbackStorage.Postgres;
        PostgresConnectionString = connectionString;
        PostgresSchema = schema;
        return this;
    }

    /// <summary>Keeps jobs in memory (tests).</summary>
    public RollbackOptions UseInMemoryStorage()
    {
        Storage = RollbackStorage.InMemory;
        return this;
    }

    /// <summary>Uses the host's own Hangfire: its storage and its servers run Needle's jobs.</summary>
    public RollbackOptions UseExistingHangfire()
    {
        Storage = RollbackStorage.Existing;
        return this;
    }

    /// <summary>The host's guard thresholds for a function: <see cref="FunctionGuards"/>[<paramref name="function"/>], else <see cref="Guard"/>.</summary>
    /// <param name="function">The function.</param>
    public GuardOptions GuardFor(string function) => FunctionGuards.TryGetValue(function, out var own) ? own : Guard;

    /// <summary>
    /// The effective guard thresholds for a version: each field its manifest's <c>guard</c> section sets, else the
    /// host's value from <see cref="GuardFor(string)"/>. The window and the healthy margin are always the host's.
    /// </summary>
    /// <param name="function">The function.</param>
    /// <param name="manifestGuard">The <c>guard</c> section of the judged version's manifest (the canary, or a patched version); <see langword="null"/> when it has none.</param>
    public GuardOptions GuardFor(string function, FunctionGuard? manifestGuard)
    {
        var host = GuardFor(function);
        if (manifestGuard is null)
        {
            return host;
        }

        var effective = host.Clone();
        effective.MinimumRequests = manifestGuard.MinimumRequests ?? host.MinimumRequests;
        effective.ErrorRatioDelta = manifestGuard.ErrorRatioDelta ?? host.ErrorRatioDelta;
        effective.P99Factor = manifestGuard.P99Factor ?? host.P99Factor;
        effective.P99SlackMs = manifestGuard.P99SlackMs ?? host.P99SlackMs;
        effective.ConsecutiveBreaches = manifestGuard.ConsecutiveBreaches ?? host.ConsecutiveBreaches;
        return effective;
    }
}
