using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Needle.Functions;
using Needle.Quality;
using Needle.Serving;
using Needle.Store;

namespace Needle.ControlPlane.Endpoints;

/// <summary>Functions and their versions: list, read, deploy, activate, delete.</summary>
internal static class FunctionEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/functions", ListFunctionsAsync).WithName("NeedleListFunctions").WithSummary("All functions with their release.");
        api.MapGet("/functions/{name}", GetFunctionAsync).WithName("NeedleGetFunction").WithSummary("One function with its versions and release.");
        api.MapDelete("/functions/{name}", DeleteFunctionAsync).WithName("NeedleDeleteFunction").WithSummary("Stops serving a function; its versions stay for the audit trail.");
        api.MapPost("/functions/{name}/versions", DeployAsync)
            .Accepts<DeployRequest>("application/json")
            .WithInvalidTitle(ReleaseEndpoints.InvalidTitle)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithName("NeedleDeploy").WithSummary("Deploys a version (activated unless activate is false).");
        api.MapGet("/functions/{name}/versions/{number:int}", GetVersionAsync).WithName("NeedleGetVersion").WithSummary("A version's source, manifest and hash.");
        api.MapPost("/functions/{name}/versions/{number:int}/activate", ActivateAsync)
            .Accepts<GatedMoveRequest>("application/json")
            .WithInvalidTitle(ReleaseEndpoints.InvalidTitle)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithName("NeedleActivate").WithSummary("Makes a version the stable one.");
    }

    private static async Task<Ok<FunctionSummary[]>> ListFunctionsAsync(INeedleStore store, Reconciler reconciler, CancellationToken cancellationToken)
    {
        var functions = await store.ListFunctionsAsync(cancellationToken);
        return TypedResults.Ok(functions.Select(f => Summarise(f, reconciler)).ToArray());
    }

    private static async Task<Results<Ok<FunctionDetail>, ProblemHttpResult>> GetFunctionAsync(string name, INeedleStore store, Reconciler reconciler, TestSkipRecorder skips, CancellationToken cancellationToken)
    {
        var function = await store.GetFunctionAsync(name, cancellationToken);
        if (function is null)
        {
            return ApiProblems.FunctionNotFound(name);
        }

        var versions = await store.ListVersionsAsync(name, cancellationToken);
        var skipped = await skips.ListAsync(name, cancellationToken);
        return TypedResults.Ok(new FunctionDetail(
            Summarise(function, reconciler),
            versions.Select(v => new VersionSummary(v.Number, v.ContentHash, v.Author, v.CreatedAt, v.ParentNumber, skipped.GetValueOrDefault(v.Number) ?? [])).ToArray()));
    }

    private static async Task<IResult> DeployAsync(string name, HttpContext http, DeploymentService deployments, ApiAccessFilter access, CancellationToken cancellationToken)
    {
        var body = await ApiRequestReader.ReadAsync<DeployRequest>(http.Request, required: true);
        var activate = body.Canary is null && (body.Activate ?? true);
        var skip = TestSkip.From(body.SkipTests, body.Reason, TestSkip.Deploy);
        var outcome = await deployments.DeployAsync(new DeployCommand(name, body.Source, body.Manifest, access.ActorOf(http)) { Activate = activate, Reason = body.Reason, Canary = body.Canary, SkipTests = skip }, cancellationToken);
        var number = outcome.Version.Number;
        var active = outcome.Release?.StableVersion == number || outcome.Release?.CanaryVersion == number || (outcome.Unchanged && activate);
        var response = new DeployResponse(name, number, outcome.Version.ContentHash, active, outcome.Revision, outcome.Unchanged, outcome.Warnings);
        return outcome.Unchanged
            ? TypedResults.Ok(response)
            : TypedResults.Created(ApiPrefix.LocationOf(http, $"functions/{name}/versions/{number}"), response);
    }

    private static async Task<IResult> GetVersionAsync(string name, int number, INeedleStore store, CancellationToken cancellationToken)
    {
        var version = await store.GetVersionAsync(name, number, cancellationToken);
        return version is null ? ApiProblems.VersionNotFound(name, number) : TypedResults.Ok(version);
    }

    private static async Task<IResult> ActivateAsync(string name, int number, HttpContext http, DeploymentService deployments, ApiAccessFilter access, CancellationToken cancellationToken)
    {
        var body = await ApiRequestReader.ReadAsync<GatedMoveRequest>(http.Request, required: false);
        var skip = TestSkip.From(body.SkipTests, body.Reason, TestSkip.Activate);
        return TypedResults.Ok(await deployments.ActivateAsync(name, number, access.ActorOf(http), body.Reason, skip, cancellationToken));
    }

    private static async Task<IResult> DeleteFunctionAsync(string name, string? reason, HttpContext http, DeploymentService deployments, ApiAccessFilter access, CancellationToken cancellationToken)
    {
        var revision = await deployments.DeleteAsync(name, access.ActorOf(http), reason, cancellationToken);
        return TypedResults.Ok(new { function = name, revision });
    }

    private static FunctionSummary Summarise(FunctionRecord function, Reconciler reconciler)
    {
        reconciler.Current.TryGetValue(function.Name, out var entry);
        string? loadError = null;
        if (function.Release is { } release)
        {
            reconciler.LoadErrors.TryGetValue(new VersionKey(function.Name, release.StableVersion).ToString(), out loadError);
        }

        var manifest = entry?.Manifest;
        return new FunctionSummary(
            function.Name,
            manifest?.Route,
            manifest?.Methods?.ToArray(),
            manifest?.Runtime,
            function.LatestVersion,
            function.Release,
            entry?.Stable.Function.Version.Label,
            loadError);
    }
}
