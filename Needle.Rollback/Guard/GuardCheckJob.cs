using System.ComponentModel;
using Hangfire;
using Needle.Rollback.Hosting;
using Needle.Rollback.Patches;
using Needle.Rollback.Plans;
using Needle.Rollback.State;

namespace Needle.Rollback.Guard;

/// <summary>
/// The recurring <c>needle-guard</c> job, every minute: re-checks every canary (the guard's own loop is the fast path;
/// this is the backstop), and re-queues release plan steps and patch watches that are due, in case their delayed job was lost.
/// With <see cref="RollbackOptions.GuardEnabled"/> off it judges no canary (the guard rolls nothing back by itself, on any
/// node), and still resumes plans and patches.
/// </summary>
internal sealed class GuardCheckJob(CanaryGuard guard, ReleasePlanner planner, IRollbackStateStore state, RollbackJobs jobs, TimeProvider time)
{
    public const string RecurringId = "needle-guard";

    /// <summary>How late a plan step or a queued patch may be before the backstop assumes its job was lost.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    [DisplayName("Needle guard: re-check canaries, plans and patches")]
    [AutomaticRetry(Attempts = 0)]
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<GuardResult>? results = guard.Enabled ? await guard.EvaluateAllAsync(cancellationToken).ConfigureAwait(false) : null;
        var plans = await planner.ResumeDueAsync(Grace, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();

        // Only runs whose own job must have been lost: queued for a while, or watched past their window.
        var runs = (await state.ListActiveRunsAsync(cancellationToken).ConfigureAwait(false))
            .Where(r => r.Status == PatchRun.Queued ? r.CreatedAt + Grace < now : r.WatchUntil < now)
            .ToList();
        foreach (var run in runs)
        {
            var id = run.Id;
            jobs.Enqueue<PatchJob>(j => j.RunAsync(id, CancellationToken.None), "patch watch");
        }

        var canaries = results is null ? "guard off, no canary checked" : $"{results.Count} canaries checked, {results.Count(r => r.RolledBack)} rolled back";
        return $"{canaries}; {plans} plans and {runs.Count} patches re-queued";
    }
}
