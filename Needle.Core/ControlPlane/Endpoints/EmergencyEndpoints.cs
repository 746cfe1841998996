using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Needle.Patching;

namespace Needle.ControlPlane.Endpoints;

/// <summary>Emergency actions: rollback, kill switch on and off, emergency patch.</summary>
internal static class EmergencyEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/functions/{name}/rollback", RollbackAsync)
            .Accepts<RollbackRequest>("application/json")
            .WithInvalidTitle(ReleaseEndpoints.InvalidTitle)
            .WithName("NeedleRollback").WithSummary("Drops a canary, or returns the previous stable version; marks the version left bad. With async=true, a job where the host runs jobs (Needle.Rollback): 202.");
        api.MapPost("/functions/{name}/kill", KillAsync)
            .Accepts<KillRequest>("application/json")
            .WithInvalidTitle(ReleaseEndpoints.InvalidTitle)
            .WithName("NeedleKill").WithSummary("Kill switch on: every request gets the fallback response; no version runs.");
        api.MapDelete("/functions/{name}/kill", ReviveAsync)
            .WithInvalidTitle(ReleaseEndpoints.InvalidTitle)
            .WithName("NeedleRevive").WithSummary("Kill switch off: the release's versions serve again.");
        api.MapPost("/functions/{name}/patches", PatchAsync)
            .Accepts<PatchRequest>("application/json")
            .WithInvalidTitle("Invalid patch")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithName("NeedlePatch").WithSummary("Emergency patch to all traffic: a diff, a source or a config against a stated base hash, or a kill switch. 201 when applied; 202 with the patch run when the host runs it as a watched job (Needle.Rollback).");
    }

    private static async Task<IResult> RollbackAsync(string name, bool? async, HttpContext http, IEmergencyActions actions, ApiAccessFilter access, CancellationToken cancellationToken)
    {
        var body = await ApiRequestReader.ReadAsync<RollbackRequest>(http.Request, required: false);
        body.Async |= async == true;
        return Answer(http, await actions.RollbackAsync(name, body, access.ActorOf(http), cancellationToken));
    }

    private static async Task<IResult> KillAsync(string name, HttpContext http, ReleaseService releases, ApiAccessFilter access, CancellationToken cancellationToken)
    {
        var body = await ApiRequestReader.ReadAsync<KillRequest>(http.Request, required: true);
        if (body.Fallback is null || string.IsNullOrWhiteSpace(body.Reason))
        {
            throw new ArgumentException("A kill switch needs a fallback response ({status, body?, contentType?, headers?}) and a reason.");
        }

        return TypedResults.Ok(await releases.KillAsync(name, body.Fallback, access.ActorOf(http), body.Reason, cancellationToken));
    }

    private static async Task<IResult> ReviveAsync(string name, string? reason, HttpContext http, ReleaseService releases, ApiAccessFilter access, CancellationToken cancellationToken) =>
        TypedResults.Ok(await releases.ReviveAsync(name, access.ActorOf(http), reason, cancellationToken));

    private static async Task<IResult> PatchAsync(string name, HttpContext http, IEmergencyActions actions, ApiAccessFilter access, CancellationToken cancellationToken)
    {
        var body = await ApiRequestReader.ReadAsync<PatchRequest>(http.Request, required: true);
        return Answer(http, await actions.PatchAsync(name, body, access.ActorOf(http), cancellationToken));
    }

    /// <summary>Turns an emergency action's outcome into the response, its location resolved against the API's prefix.</summary>
    private static IResult Answer(HttpContext http, EmergencyOutcome outcome)
    {
        var location = outcome.Location is { } relative ? ApiPrefix.LocationOf(http, relative) : null;
        return outcome.StatusCode switch
        {
            StatusCodes.Status201Created => TypedResults.Created(location, outcome.Body),
            StatusCodes.Status202Accepted => TypedResults.Accepted(location, outcome.Body),
            _ => TypedResults.Ok(outcome.Body),
        };
    }
}
