using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Needle.Quality;
using Needle.Store;

namespace Needle.ControlPlane.Endpoints;

/// <summary>Releases: set the whole release or its canary, promote, abort, and the release history.</summary>
internal static class ReleaseEndpoints
{
    /// <summary>The title of a release change refused for its arguments.</summary>
    public const string InvalidTitle = "Invalid release";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPut("/functions/{name}/release", SetReleaseAsync)
            .Accepts<ReleaseRequest>("application/json")
            .WithInvalidTitle(InvalidTitle)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithName("NeedleSetRelease").WithSummary("Sets the whole release: stable, canary, weight, pins.");
        api.MapPost("/functions/{name}/canary", SetCanaryAsync)
            .Accepts<CanaryRequest>("application/json")
            .WithInvalidTitle(InvalidTitle)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithName("NeedleSetCanary").WithSummary("Runs a version as canary, or changes the canary's weight or pins.");
        api.MapPost("/functions/{name}/promote", PromoteAsync)
            .Accepts<GatedMoveRequest>("application/json")
            .WithInvalidTitle(InvalidTitle)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithName("NeedlePromote").WithSummary("The canary becomes the stable version.");
        api.MapPost("/functions/{name}/abort", AbortAsync)
            .Accepts<ReasonRequest>("application/json")
            .WithInvalidTitle(InvalidTitle)
            .WithName("NeedleAbort").WithSummary("Removes the canary.");
        api.MapGet("/functions/{name}/releases", ListReleasesAsync).WithName("NeedleListReleases").WithSummary("A function's release history, newest first.");
    }

    private static async Task<IResult> SetReleaseAsync(string name, HttpContext http, ReleaseService releases, ApiAccessFilter access, CancellationToken cancellationToken)
    {
        var body = await ApiRequestReader.ReadAsync<ReleaseRequest>(http.Request, required: true);
        var target = new ReleaseTarget(body.StableVersion, body.CanaryVersion, body.CanaryWeight, body.Pins, body.Force);
        var skip = TestSkip.From(body.SkipTests, body.Reason, TestSkip.Release);
        return TypedResults.Ok(await releases.SetAsync(name, target, access.ActorOf(http), body.Reason, cancellationToken, skip));
    }

    private static async Task<IResult> SetCanaryAsync(string name, HttpContext http, ReleaseService releases, ApiAccessFilter access, CancellationToken cancellationToken)
    {
        var body = await ApiRequestReader.ReadAsync<CanaryRequest>(http.Request, required: true);
        var skip = TestSkip.From(body.SkipTests, body.Reason, TestSkip.Canary);
        return TypedResults.Ok(await releases.SetCanaryAsync(name, body.Version, body.Weight, body.Pins, body.Force, access.ActorOf(http), body.Reason, cancellationToken, skip));
    }

    private static async Task<IResult> PromoteAsync(string name, HttpContext http, ReleaseService releases, ApiAccessFilter access, CancellationToken cancellationToken)
    {
        var body = await ApiRequestReader.ReadAsync<GatedMoveRequest>(http.Request, required: false);
        var skip = TestSkip.From(body.SkipTests, body.Reason, TestSkip.Promote);
        return TypedResults.Ok(await releases.PromoteAsync(name, access.ActorOf(http), body.Reason, cancellationToken, skip));
    }

    private static async Task<IResult> AbortAsync(string name, HttpContext http, ReleaseService releases, ApiAccessFilter access, CancellationToken cancellationToken)
    {
        var body = await ApiRequestReader.ReadAsync<ReasonRequest>(http.Request, required: false);
        return TypedResults.Ok(await releases.AbortAsync(name, access.ActorOf(http), body.Reason, cancellationToken));
    }

    private static async Task<IResult> ListReleasesAsync(string name, int? limit, INeedleStore store, CancellationToken cancellationToken)
    {
        if (await store.GetFunctionAsync(name, cancellationToken) is null)
        {
            return ApiProblems.FunctionNotFound(name);
        }

        return TypedResults.Ok(await store.ListReleasesAsync(name, Math.Clamp(limit ?? 50, 1, 1000), cancellationToken));
    }
}
