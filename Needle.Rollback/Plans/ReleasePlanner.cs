using Microsoft.Extensions.Logging;
using Needle.ControlPlane;
using Needle.Rollback.Hosting;
using Needle.Rollback.State;
using Needle.Rollback.Telemetry;
using Needle.Store;

namespace Needle.Rollback.Plans;

/// <summary>Starts, cancels and resumes release plans; <see cref="ReleasePlanJob"/> takes their steps.</summary>
internal sealed class ReleasePlanner(INeedleStore store, ReleaseService releases, RollbackStateStore state, RollbackJobs jobs, TimeProvider time, ILogger<ReleasePlanner> logger)
{
    /// <summary>Validates the plan, puts the version in as canary at the first step, records the plan and schedules its next step.</summary>
    public async Task<ReleasePlan> StartAsync(string function, PlanRequest request, string actor, CancellationToken cancellationToken)
    {
        var (version, steps, wait) = PlanRules.Validate(request);
        _ = await store.GetFunctionAsync(function, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{function}' does not exist.");
        if (await state.GetLatestPlanAsync(function, cancellationToken).ConfigureAwait(false) is { Status: ReleasePlan.Running } running)
        {
            throw new NeedleConflictException($"Function '{function}' already runs release plan {running.Id}; cancel it first.");
        }

        var reason = $"{request.Reason ?? "release plan"} (plan step 1/{steps.Count})";
        await releases.SetCanaryAsync(function, version, steps[0], null, force: false, actor, reason, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var plan = new ReleasePlan(Guid.NewGuid().ToString("n"), function, version, steps, wait, 0, ReleasePlan.Running, now + wait, actor, request.Reason, $"canary at {steps[0]} %", now, now);
        await state.InsertPlanAsync(plan, cancellationToken).ConfigureAwait(false);
        Schedule(plan, wait);
        RollbackLog.PlanStep(logger, plan.Id, function, plan.Detail!);
        return plan;
    }

    /// <summary>Stops the running plan; the canary keeps its current weight (abort or roll back to remove it).</summary>
    public async Task<ReleasePlan> CancelAsync(string function, string actor, CancellationToken cancellationToken)
    {
        var plan = await state.GetLatestPlanAsync(function, cancellationToken).ConfigureAwait(false);
        if (plan is not { Status: ReleasePlan.Running })
        {
            throw new NeedleNotFoundException($"Function '{function}' has no running release plan.");
        }

        var cancelled = plan with { Status = "cancelled", Detail = $"cancelled by {actor} at {plan.CurrentWeight} %", UpdatedAt = time.GetUtcNow() };
        if (!await state.UpdatePlanAsync(cancelled, ReleasePlan.Running, plan.StepIndex, cancellationToken).ConfigureAwait(false))
        {
            throw new NeedleConflictException($"Release plan {plan.Id} changed meanwhile; read it again.");
        }

        await store.AppendAuditAsync(new AuditEntry(actor, "plan-cancel", function, plan.Version, null, $"plan={plan.Id} step={plan.StepIndex}"), cancellationToken).ConfigureAwait(false);
        return cancelled;
    }

    /// <summary>
    /// Schedules the next step of running plans: at start all of them (in-memory storage loses its jobs; a crash may
    /// come before scheduling), from the backstop job only those overdue by more than <paramref name="grace"/>, whose
    /// delayed job must have been lost. A duplicate step does nothing.
    /// </summary>
    public async Task<int> ResumeDueAsync(TimeSpan? grace, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var resumed = 0;
        foreach (var plan in await state.ListRunningPlansAsync(cancellationToken).ConfigureAwait(false))
        {
            if (grace is { } late && plan.NextAt + late > now)
            {
                continue;
            }

            Schedule(plan, plan.NextAt - now);
            resumed++;
        }

        return resumed;
    }

    public void Schedule(ReleasePlan plan, TimeSpan delay)
    {
        var id = plan.Id;
        var step = plan.StepIndex;
        _ = delay <= TimeSpan.Zero
            ? jobs.Enqueue<ReleasePlanJob>(j => j.AdvanceAsync(id, step, CancellationToken.None), "release plan step")
            : jobs.Schedule<ReleasePlanJob>(j => j.AdvanceAsync(id, step, CancellationToken.None), delay, "release plan step");
    }
}
