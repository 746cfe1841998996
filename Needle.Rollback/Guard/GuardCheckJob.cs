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
/// </summary>
internal sealed class GuardCheckJob(CanaryGuard guard, ReleasePlanner planner, RollbackStateStore state, RollbackJobs jobs)
{
    public const string RecurringId = "needle-guard";

    [DisplayName("Needle guard: re-check canaries, plans and patches")]
    [AutomaticRetry(Attempts = 0)]
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var results = await guard.EvaluateAllAsync(cancellationToken).ConfigureAwait(false);
        var plans = await planner.ResumeDueAsync(cancellationToken).ConfigureAwait(false);
        var runs = await state.ListActiveRunsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var run in runs)
        {
            var id = run.Id;
            jobs.Enqueue<PatchJob>(j => j.RunAsync(id, CancellationToken.None), "patch watch");
        }

        return $"{results.Count} canaries checked, {results.Count(r => r.RolledBack)} rolled back; {plans} plans and {runs.Count} patches re-queued";
    }
}
