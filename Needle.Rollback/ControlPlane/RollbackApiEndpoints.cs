using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Needle.ControlPlane;
using Needle.Patching;
using Needle.Rollback.Guard;
using Needle.Rollback.Patches;
using Needle.Rollback.Plans;
using Needle.Rollback.Rollbacks;
using Needle.Rollback.State;
using Needle.Runtime;
using Needle.Serving;
using Needle.Store;

namespace Needle.Rollback.ControlPlane;

/// <summary>
/// Needle.Rollback's control-plane endpoints, under the same prefix and access rules as <c>MapNeedleApi</c>. The
/// patch and rollback endpoints take precedence over Core's (route order -1): a patch becomes a watched job, and a
/// rollback with <c>?async=true</c> becomes a job; without it a rollback stays synchronous, exactly as in Core.
/// </summary>
internal static class RollbackApiEndpoints
{
    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix)
    {
        var api = endpoints.MapGroup(prefix)
            .WithGroupName(NeedleApiEndpoints.GroupName)
            .WithTags("Needle")
            .AddEndpointFilter<ApiAccessFilter>();

        api.MapPost("/functions/{name}/plans", StartPlanAsync)
            .Accepts<PlanRequest>("application/json")
            .WithName("NeedleStartPlan").WithSummary("Releases a version as canary through weighted steps, advanced while the guard's gate passes.");
        api.MapGet("/functions/{name}/plans/current", GetPlanAsync).WithName("NeedleGetPlan").WithSummary("The running release plan, or the last one.");
        api.MapDelete("/functions/{name}/plans/current", CancelPlanAsync).WithName("NeedleCancelPlan").WithSummary("Stops the running plan; the canary keeps its weight.");
        api.MapGet("/patches/{id}", GetPatchAsync).WithName("NeedleGetPatch").WithSummary("An emergency patch run with its steps.");
        api.MapGet("/guard", GetGuardAsync).WithName("NeedleGuard").WithSummary("The guard's verdict on every canary this node serves (changes nothing).");

        // Same routes as Core's synchronous endpoints, ordered first; kept out of the OpenAPI document, which already lists the routes.
        api.MapPost("/functions/{name}/patches", PatchAsync).WithOrder(-1).ExcludeFromDescription();
        api.MapPost("/functions/{name}/rollback", RollbackAsync).WithOrder(-1).ExcludeFromDescription();
        return api;
    }

    private static Task<IResult> StartPlanAsync(string name, HttpContext http, ReleasePlanner planner, ApiAccessFilter access, CancellationToken cancellationToken) =>
        RefuseAsync(async () =>
        {
            var body = await ApiRequestReader.ReadAsync<PlanRequest>(http.Request, required: true);
            var plan = await planner.StartAsync(name, body, access.ActorOf(http), cancellationToken);
            return TypedResults.Created($"{http.Request.PathBase}{http.Request.Path}/current", plan);
        });

    private static async Task<IResult> GetPlanAsync(string name, RollbackStateStore state, CancellationToken cancellationToken) =>
        await state.GetLatestPlanAsync(name, cancellationToken) is { } plan
            ? TypedResults.Ok(plan)
            : NotFound($"Function '{name}' has no release plan.");

    private static Task<IResult> CancelPlanAsync(string name, HttpContext http, ReleasePlanner planner, ApiAccessFilter access, CancellationToken cancellationToken) =>
        RefuseAsync(async () => TypedResults.Ok(await planner.CancelAsync(name, access.ActorOf(http), cancellationToken)));

    private static async Task<IResult> GetPatchAsync(string id, RollbackStateStore state, CancellationToken cancellationToken) =>
        await state.GetRunAsync(id, cancellationToken) is { } run
            ? TypedResults.Ok(run)
            : NotFound($"There is no patch run '{id}'.");

    private static IResult GetGuardAsync(Reconciler reconciler, CanaryGuard guard) =>
        TypedResults.Ok(reconciler.Current.Values
            .Where(e => e.Canary is not null)
            .Select(e => new GuardResult(e.Release.Function, e.Stable.Function.Version.Number, e.Canary!.Function.Version.Number, guard.Judge(e.Release.Function, e.Stable.Function.Version.Number, e.Canary.Function.Version.Number), RolledBack: false))
            .ToArray());

    private static Task<IResult> PatchAsync(string name, HttpContext http, PatchRunner runner, ApiAccessFilter access, CancellationToken cancellationToken) =>
        RefuseAsync(async () =>
        {
            var body = await ApiRequestReader.ReadAsync<PatchRequest>(http.Request, required: true);
            var (run, replayed) = await runner.SubmitAsync(name, body, access.ActorOf(http), cancellationToken);
            var location = $"{http.Request.PathBase}{http.Request.Path.Value![..^$"functions/{name}/patches".Length]}patches/{run.Id}";
            return replayed ? TypedResults.Ok(run) : TypedResults.Accepted(location, run);
        });

    private static Task<IResult> RollbackAsync(string name, bool? async, HttpContext http, ReleaseService releases, RollbackRequests requests, ApiAccessFilter access, CancellationToken cancellationToken) =>
        RefuseAsync(async () =>
        {
            var body = await ApiRequestReader.ReadAsync<RollbackRequest>(http.Request, required: false);
            if (async != true)
            {
                return TypedResults.Ok(await releases.RollbackAsync(name, body.To, access.ActorOf(http), body.Reason, cancellationToken));
            }

            var (requestId, jobId, release) = await requests.SubmitAsync(name, body.To, access.ActorOf(http), body.Reason, cancellationToken);
            return release is not null
                ? TypedResults.Ok(release)
                : TypedResults.Accepted((string?)null, new { function = name, requestId, jobId });
        });

    /// <summary>Maps refusals to problem details as Core's API does: invalid 400, unknown 404, conflicting 409.</summary>
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
    }

    private static IResult NotFound(string detail) =>
        TypedResults.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);
}
