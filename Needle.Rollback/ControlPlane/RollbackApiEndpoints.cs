using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Needle.ControlPlane;
using Needle.Rollback.Guard;
using Needle.Rollback.Plans;
using Needle.Rollback.State;
using Needle.Runtime;
using Needle.Serving;
using Needle.Store;

namespace Needle.Rollback.ControlPlane;

/// <summary>
/// Needle.Rollback's own control-plane endpoints (plans, patch runs, the guard's view), added to <c>MapNeedleApi</c>'s
/// group, so they share its prefix, access rules and OpenAPI document. Patches and rollbacks keep Core's endpoints;
/// <c>AddRollback</c> replaces the work behind them (<see cref="JobEmergencyActions"/>).
/// </summary>
internal sealed class RollbackApiEndpoints : INeedleApiContributor
{
    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/functions/{name}/plans", StartPlanAsync)
            .Accepts<PlanRequest>("application/json")
            .WithName("NeedleStartPlan").WithSummary("Releases a version as canary through weighted steps, advanced while the guard's gate passes.");
        api.MapGet("/functions/{name}/plans/current", GetPlanAsync).WithName("NeedleGetPlan").WithSummary("The running release plan, or the last one.");
        api.MapDelete("/functions/{name}/plans/current", CancelPlanAsync).WithName("NeedleCancelPlan")
            .WithSummary("Stops the running plan and aborts its canary (the stable version serves 100 %); keepCanary=true leaves the canary at its current weight. reason is audited.");
        api.MapGet("/patches/{id}", GetPatchAsync).WithName("NeedleGetPatch").WithSummary("An emergency patch run with its steps.");
        api.MapGet("/guard", GetGuardAsync).WithName("NeedleGuard").WithSummary("The guard's verdict on every canary this node serves (changes nothing).");
    }

    private static Task<IResult> StartPlanAsync(string name, HttpContext http, ReleasePlanner planner, ApiAccessFilter access, CancellationToken cancellationToken) =>
        RefuseAsync(async () =>
        {
            var body = await ApiRequestReader.ReadAsync<PlanRequest>(http.Request, required: true);
            var plan = await planner.StartAsync(name, body, access.ActorOf(http), cancellationToken);
            return TypedResults.Created($"{http.Request.PathBase}{http.Request.Path}/current", plan);
        });

    private static async Task<IResult> GetPlanAsync(string name, IRollbackStateStore state, CancellationToken cancellationToken) =>
        await state.GetLatestPlanAsync(name, cancellationToken) is { } plan
            ? TypedResults.Ok(plan)
            : NotFound($"Function '{name}' has no release plan.");

    private static Task<IResult> CancelPlanAsync(string name, bool? keepCanary, string? reason, HttpContext http, ReleasePlanner planner, ApiAccessFilter access, CancellationToken cancellationToken) =>
        RefuseAsync(async () => TypedResults.Ok(await planner.CancelAsync(name, keepCanary ?? false, string.IsNullOrWhiteSpace(reason) ? null : reason, access.ActorOf(http), cancellationToken)));

    private static async Task<IResult> GetPatchAsync(string id, IRollbackStateStore state, CancellationToken cancellationToken) =>
        await state.GetRunAsync(id, cancellationToken) is { } run
            ? TypedResults.Ok(run)
            : NotFound($"There is no patch run '{id}'.");

    private static IResult GetGuardAsync(Reconciler reconciler, CanaryGuard guard) =>
        TypedResults.Ok(reconciler.Current.Values
            .Where(e => e.Canary is not null)
            .Select(e => new GuardResult(e.Release.Function, e.Stable.Function.Version.Number, e.Canary!.Function.Version.Number, guard.Judge(e.Stable.Function.Version.Number, e.Canary.Function.Version), RolledBack: false))
            .ToArray());

    /// <summary>Maps refusals to problem details as Core's API does: invalid 400, unknown 404, conflicting 409, no room to load 503.</summary>
    private static async Task<IResult> RefuseAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (FunctionValidationException ex)
        {
            return TypedResults.Problem(title: "Invalid function", detail: ex.Message, statusCode: StatusCodes.Status400BadRequest, extensions: new Dictionary<string, object?> { ["diagnostics"] = ex.Diagnostics });
        }
        catch (NeedleNotFoundException ex)
        {
            return NotFound(ex.Message);
        }
        catch (NeedleConflictException ex)
        {
            return TypedResults.Problem(title: "Conflict", detail: ex.Message, statusCode: StatusCodes.Status409Conflict);
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(title: "Invalid request", detail: ex.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (Needle.Runtime.LoadCapacityException ex)
        {
            return TypedResults.Problem(title: "Cannot load now", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static IResult NotFound(string detail) =>
        TypedResults.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);
}
