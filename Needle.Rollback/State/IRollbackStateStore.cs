using Needle.Rollback.Patches;
using Needle.Rollback.Plans;

namespace Needle.Rollback.State;

/// <summary>
/// Needle.Rollback's durable state: progressive release plans and emergency patch runs. Their Hangfire jobs read it
/// before acting, so a job delivered twice, or re-run after a crash, finds the state and does nothing wrong. Every
/// change is a compare-and-set on what the caller read. The SQLite store keeps it beside Needle's tables.
/// </summary>
internal interface IRollbackStateStore
{
    /// <summary>Creates or upgrades the schema (its own migrations), once; every other member awaits it first, so no caller has to.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Inserts a plan; a plan of the function still running refuses it (<see cref="Needle.Store.NeedleConflictException"/>).</summary>
    Task InsertPlanAsync(ReleasePlan plan, CancellationToken cancellationToken);

    /// <summary>One plan, or <see langword="null"/>.</summary>
    Task<ReleasePlan?> GetPlanAsync(string id, CancellationToken cancellationToken);

    /// <summary>The function's running plan, else its newest, or <see langword="null"/>.</summary>
    Task<ReleasePlan?> GetLatestPlanAsync(string function, CancellationToken cancellationToken);

    /// <summary>Every running plan.</summary>
    Task<IReadOnlyList<ReleasePlan>> ListRunningPlansAsync(CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="plan"/> when the row still has the status and step it was read with; returns whether it did.</summary>
    Task<bool> UpdatePlanAsync(ReleasePlan plan, string expectedStatus, int expectedStep, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts a run, or returns the run already recorded under the same idempotency key. A run of the function still
    /// queued (validating, applying) refuses it; a run being watched is superseded in the same transaction (its watch
    /// ends, it will not revert) and returned, and the new run records that it supersedes it.
    /// </summary>
    Task<(PatchRun Run, bool Existing, PatchRun? Superseded)> InsertRunAsync(PatchRun run, CancellationToken cancellationToken);

    /// <summary>One run, or <see langword="null"/>.</summary>
    Task<PatchRun?> GetRunAsync(string id, CancellationToken cancellationToken);

    /// <summary>The run of the function recorded under an idempotency key, or <see langword="null"/>.</summary>
    Task<PatchRun?> FindRunByKeyAsync(string function, string key, CancellationToken cancellationToken);

    /// <summary>Every run queued or being watched.</summary>
    Task<IReadOnlyList<PatchRun>> ListActiveRunsAsync(CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="run"/> when the row still has <paramref name="expectedStatus"/>; returns whether it did.</summary>
    Task<bool> UpdateRunAsync(PatchRun run, string expectedStatus, CancellationToken cancellationToken);
}
