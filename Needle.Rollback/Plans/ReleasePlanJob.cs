using System.ComponentModel;
using Hangfire;
using Microsoft.Extensions.Logging;
using Needle.Releases;
using Needle.Rollback.Guard;
using Needle.Rollback.Hosting;
using Needle.Rollback.State;
using Needle.Rollback.Telemetry;
using Needle.Store;

namespace Needle.Rollback.Plans;

/// <summary>
/// One step of a release plan, as a delayed Hangfire job. It acts only when the plan is still at the step it was
/// scheduled for and the step is due (by the injected clock), so duplicates and early deliveries do nothing. A healthy
/// gate advances; a breach rolls the canary back and ends the plan; too little traffic or a marginal canary holds the step.
/// In a cluster every node may hold a job for the same step (each resumes running plans when it starts, the backstop
/// re-queues late ones): a step runs under the job storage's distributed lock of its plan, so the duplicate waits, then
/// finds the plan moved on, and each step changes the release (and writes its audit event) once.
/// </summary>
internal sealed class ReleasePlanJob(
    IRollbackStateStore state,
    INeedleStore store,
    INeedleReleases releases,
    CanaryGuard guard,
    ReleasePlanner planner,
    RollbackJobs jobs,
    RollbackMetrics metrics,
    TimeProvider time,
    ILogger<ReleasePlanJob> logger)
{
    /// <summary>How long a held step waits before the gate is checked again, at most.</summary>
    public static readonly TimeSpan HoldRecheck = TimeSpan.FromSeconds(15);

    /// <summary>How long a duplicate step waits for the plan's lock before it fails (and Hangfire retries it).</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(15);

    [DisplayName("Release plan {0}: step {1}")]
    [AutomaticRetry(Attempts = 3)]
    public async Task<string> AdvanceAsync(string planId, int stepIndex, CancellationToken cancellationToken)
    {
        using var connection = jobs.Storage.GetConnection();
        using var planLock = connection.AcquireDistributedLock("needle:plan:" + planId, LockWait);
        return await AdvanceLockedAsync(planId, stepIndex, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> AdvanceLockedAsync(string planId, int stepIndex, CancellationToken cancellationToken)
    {
        var plan = await state.GetPlanAsync(planId, cancellationToken).ConfigureAwait(false);
        if (plan is null || plan.Status != ReleasePlan.Running || plan.StepIndex != stepIndex)
        {
            return "nothing to do: the plan is " + (plan is null ? "unknown" : $"{plan.Status} at step {plan.StepIndex}");
        }

        var now = time.GetUtcNow();
        var release = (await store.GetFunctionAsync(plan.Function, cancellationToken).ConfigureAwait(false))?.Release;
        if (release is null || release.CanaryVersion != plan.Version)
        {
            var promoted = release?.StableVersion == plan.Version && release.CanaryVersion is null && stepIndex == plan.Steps.Count - 2;
            return await FinishAsync(plan, promoted ? "completed" : "aborted", promoted ? "promoted" : "the canary no longer runs; someone else changed the release", now, cancellationToken).ConfigureAwait(false);
        }

        if (now < plan.NextAt)
        {
            planner.Schedule(plan, plan.NextAt - now);
            return $"not due until {plan.NextAt:O}";
        }

        // The canary's own manifest may set this function's thresholds; the gate uses them as the guard does.
        var canary = await store.GetVersionAsync(plan.Function, plan.Version, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{plan.Function}' has no version {plan.Version}.");
        var decision = guard.Judge(release.StableVersion, canary);
        switch (decision.Verdict)
        {
            case GuardVerdict.Breach:
                await guard.RollBackCanaryAsync(plan.Function, plan.Version, $"release plan {plan.Id} gate: {decision.Reason}", cancellationToken).ConfigureAwait(false);
                metrics.PlanStepped(plan.Function, "rolled-back");
                return "rolled back: " + decision.Reason;

            case GuardVerdict.Healthy:
                return await StepAsync(plan, now, decision, cancellationToken).ConfigureAwait(false);

            default:
                var wait = plan.StepWait < HoldRecheck ? plan.StepWait : HoldRecheck;
                var held = plan with { NextAt = now + wait, Detail = "holding: " + decision.Reason, UpdatedAt = now };
                if (await state.UpdatePlanAsync(held, ReleasePlan.Running, stepIndex, cancellationToken).ConfigureAwait(false))
                {
                    planner.Schedule(held, wait);
                    metrics.PlanStepped(plan.Function, "held");
                }

                return held.Detail!;
        }
    }

    private async Task<string> StepAsync(ReleasePlan plan, DateTimeOffset now, GuardDecision decision, CancellationToken cancellationToken)
    {
        var next = plan.StepIndex + 1;
        var weight = plan.Steps[next];
        var reason = $"{plan.Reason ?? "release plan"} (plan step {next + 1}/{plan.Steps.Count}; {decision.Reason})";
        if (weight >= 100)
        {
            var skip = await planner.FindSkipAsync(plan, cancellationToken).ConfigureAwait(false);
            await releases.PromoteAsync(plan.Function, plan.Actor, reason, skip, cancellationToken).ConfigureAwait(false);
            return await FinishAsync(plan, "completed", "promoted", now, cancellationToken).ConfigureAwait(false);
        }

        // Release first, then the plan row: a crash in between re-runs this step, which sets the same weight again.
        await releases.SetCanaryAsync(plan.Function, plan.Version, weight, force: true, plan.Actor, reason, cancellationToken).ConfigureAwait(false);
        var advanced = plan with { StepIndex = next, NextAt = now + plan.StepWait, Detail = $"canary at {weight} %", UpdatedAt = now };
        if (await state.UpdatePlanAsync(advanced, ReleasePlan.Running, plan.StepIndex, cancellationToken).ConfigureAwait(false))
        {
            planner.Schedule(advanced, plan.StepWait);
            metrics.PlanStepped(plan.Function, "advanced");
            RollbackLog.PlanStep(logger, plan.Id, plan.Function, advanced.Detail!);
        }

        return advanced.Detail!;
    }

    private async Task<string> FinishAsync(ReleasePlan plan, string status, string detail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await state.UpdatePlanAsync(plan with { Status = status, Detail = detail, UpdatedAt = now }, ReleasePlan.Running, plan.StepIndex, cancellationToken).ConfigureAwait(false))
        {
            metrics.PlanStepped(plan.Function, status);
            RollbackLog.PlanStep(logger, plan.Id, plan.Function, $"{status}: {detail}");
        }

        return $"{status}: {detail}";
    }
}
