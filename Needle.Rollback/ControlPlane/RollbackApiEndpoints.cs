using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Needle.ControlPlane;
using Needle.Rollback.Guard;
using Needle.Rollback.Plans;
using Needle.Rollback.State;
using Needle.Store;

namespace Needle.Rollback.ControlPlane;

/// <summary>
/// Needle.Rollback's own control-plane endpoints (plans, patch runs, the guard's view), added to <c>MapNeedleApi</c>'s
/// group, so they share its prefix, access rules and OpenAPI document. Patches and rollbacks keep Core's endpoints;
/// <c>AddRollback</c> replaces the work behind them (<see cref="JobEmergencyActions"/>). Refusals are thrown as
/// Needle's exceptions; the group's filter answers them with Core's problem details.
/// </summary>
internal sealed class RollbackApiEndpoints : INeedleApiContributor
{
    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/functions/{name}/plans", StartPlanAsync)
            .Accepts<PlanRequest>("application/json")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithName("NeedleStartPlan").WithSummary("Releases a version as canary through weighted steps, advanced while the guard's gate passes.");
        api.MapGet("/functions/{name}/plans/current", GetPlanAsync).WithName("NeedleGetPlan").WithSummary("The running release plan, or the last one.");
        api.MapDelete("/functions/{name}/plans/current", CancelPlanAsync).WithName("NeedleCancelPlan")
            .WithSummary("Stops the running plan and aborts its canary (the stable version serves 100 %); keepCanary=true leaves the canary at its current weight. reason is audited.");
        api.MapGet("/patches/{id}", GetPatchAsync).WithName("NeedleGetPatch").WithSummary("An emergency patch run with its steps.");
        api.MapGet("/guard", GetGuardAsync).WithName("NeedleGuard").WithSummary("The guard's verdict on every canary this node serves (changes nothing).");
    }

    private static async Task<IResult> StartPlanAsync(string name, HttpContext http, ReleasePlanner planner, CancellationToken cancellationToken)
    {
        var body = await ApiRequestReader.ReadAsync<PlanRequest>(http.Request, required: true);
        var plan = await planner.StartAsync(name, body, ApiCaller.ActorOf(http), cancellationToken);
        return TypedResults.Created(ApiPrefix.LocationOf(http, $"functions/{Uri.EscapeDataString(name)}/plans/current"), plan);
    }

    private static async Task<IResult> GetPlanAsync(string name, IRollbackStateStore state, CancellationToken cancellationToken) =>
        await state.GetLatestPlanAsync(name, cancellationToken) is { } plan
            ? TypedResults.Ok(plan)
            : throw NotFound($"Function '{name}' has no release plan.");

    private static async Task<IResult> CancelPlanAsync(string name, bool? keepCanary, string? reason, HttpContext http, ReleasePlanner planner, CancellationToken cancellationToken) =>
        TypedResults.Ok(await planner.CancelAsync(name, keepCanary ?? false, string.IsNullOrWhiteSpace(reason) ? null : reason, ApiCaller.ActorOf(http), cancellationToken));

    private static async Task<IResult> GetPatchAsync(string id, IRollbackStateStore state, CancellationToken cancellationToken) =>
        await state.GetRunAsync(id, cancellationToken) is { } run
            ? TypedResults.Ok(run)
            : throw NotFound($"There is no patch run '{id}'.");

    private static IResult GetGuardAsync(CanaryGuard guard) =>
        TypedResults.Ok(guard.Canaries(includeKilled: true)
            .Select(c => new GuardResult(c.Canary.Name, c.StableVersion, c.Canary.Number, guard.Judge(c.StableVersion, c.Canary), RolledBack: false))
            .ToArray());

    private static NeedleNotFoundException NotFound(string detail) => new(detail);
}
