using Microsoft.Extensions.Logging;
using Needle.Quality;
using Needle.Releases;
using Needle.Rollback.Hosting;
using Needle.Rollback.State;
using Needle.Rollback.Telemetry;
using Needle.Store;

namespace Needle.Rollback.Plans;

/// <summary>Starts, cancels and resumes release plans; <see cref="ReleasePlanJob"/> takes their steps.</summary>
internal sealed class ReleasePlanner(INeedleStore store, INeedleReleases releases, IRollbackStateStore state, RollbackJobs jobs, TimeProvider time, ILogger<ReleasePlanner> logger)
{
    /// <summary>The status of a plan someone stopped.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>
    /// The skip a plan's closing promote makes: the one its start made (its <c>tests-skipped</c> event names the plan,
    /// so the decision survives restarts and holds on every node), else <see langword="null"/> and the promote runs the gate.
    /// </summary>
    public async Task<TestSkip?> FindSkipAsync(ReleasePlan plan, CancellationToken cancellationToken)
    {
        var context = SkipContext(plan.Id);
        var skips = await store.ListAuditAsync(new AuditQuery(plan.Function, 1000, Action: ReleaseActions.TestsSkipped), cancellationToken).ConfigureAwait(false);
        return skips.FirstOrDefault(e => e.Action == ReleaseActions.TestsSkipped && e.Version == plan.Version && e.Detail?.Contains(context, StringComparison.Ordinal) == true) is { } started
            ? new TestSkip(TestSkip.Plan, started.Reason ?? plan.Reason ?? "release plan") { Context = context }
            : null;
    }

    private static string SkipContext(string planId) => $"plan={planId}";

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
        var id = Guid.NewGuid().ToString("n");
        var skip = TestSkip.From(request.SkipTests, request.Reason, TestSkip.Plan) is { } asked ? asked with { Context = SkipContext(id) } : null;
        await releases.SetCanaryAsync(function, version, steps[0], force: false, actor, reason, skip, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var plan = new ReleasePlan(id, function, version, steps, wait, 0, ReleasePlan.Running, now + wait, actor, request.Reason, $"canary at {steps[0]} %", now, now);
        await state.InsertPlanAsync(plan, cancellationToken).ConfigureAwait(false);
        Schedule(plan, wait);
        RollbackLog.PlanStep(logger, plan.Id, function, plan.Detail!);
        return plan;
    }

    /// <summary>
    /// Stops the running plan. By default its canary is aborted too, so the stable version serves 100 % (only that
    /// canary: one that someone else put in meanwhile stays); with <paramref name="keepCanary"/> the canary keeps its
    /// current weight. Audited as <c>plan-cancel</c> with <paramref name="reason"/>; the abort is a release change of its own.
    /// </summary>
    public async Task<ReleasePlan> CancelAsync(string function, bool keepCanary, string? reason, string actor, CancellationToken cancellationToken)
    {
        var plan = await state.GetLatestPlanAsync(function, cancellationToken).ConfigureAwait(false);
        if (plan is not { Status: ReleasePlan.Running })
        {
            throw new NeedleNotFoundException($"Function '{function}' has no running release plan.");
        }

        // The plan row first: once it says cancelled, no step job moves the canary again, whatever happens next.
        var weight = plan.CurrentWeight;
        var cancelled = plan with { Status = Cancelled, Detail = $"cancelled by {actor} at {weight} %" + (reason is null ? "" : $" ({reason})"), UpdatedAt = time.GetUtcNow() };
        if (!await state.UpdatePlanAsync(cancelled, ReleasePlan.Running, plan.StepIndex, cancellationToken).ConfigureAwait(false))
        {
            throw new NeedleConflictException($"Release plan {plan.Id} changed meanwhile; read it again.");
        }

        string canary;
        if (keepCanary)
        {
            canary = "kept";
        }
        else
        {
            try
            {
                await releases.AbortAsync(function, actor, $"release plan {plan.Id} cancelled" + (reason is null ? "" : $": {reason}"), new ReleaseExpectation(Canary: plan.Version), cancellationToken).ConfigureAwait(false);
                canary = "aborted";
            }
            catch (NeedleConflictException)
            {
                // Someone (a person, the guard) changed the canary first: theirs is not this plan's to remove.
                canary = "gone";
            }
        }

        var outcome = canary switch
        {
            "kept" => $"canary v{plan.Version} kept at {weight} %",
            "aborted" => $"canary v{plan.Version} aborted; the stable version serves 100 %",
            _ => $"canary v{plan.Version} no longer ran; nothing to abort",
        };
        var finished = cancelled with { Detail = $"{cancelled.Detail}; {outcome}" };
        await state.UpdatePlanAsync(finished, Cancelled, plan.StepIndex, cancellationToken).ConfigureAwait(false);
        await store.AppendAuditAsync(new AuditEntry(actor, RollbackAuditActions.PlanCancel, function, plan.Version, reason, $"plan={plan.Id} step={plan.StepIndex} weight={weight} canary={canary}"), cancellationToken).ConfigureAwait(false);
        RollbackLog.PlanStep(logger, plan.Id, function, finished.Detail);
        return finished;
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
