using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Needle.ControlPlane;

namespace Needle.Observability.Health;

/// <summary>Adds the health windows to the control-plane API, under its prefix and access rules.</summary>
internal sealed class HealthApiContributor : INeedleApiContributor
{
    public void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/health", (INeedleHealth health) => TypedResults.Ok(health.GetSummary()))
            .WithName("NeedleHealth").WithSummary("Health windows of every function: rate, error ratio, p50/p95/p99, last error.");
        api.MapGet("/health/{function}", GetFunction)
            .WithName("NeedleFunctionHealth").WithSummary("Health windows of one function and each of its versions.");
        api.MapGet("/health/{function}/{version:int}", GetVersion)
            .WithName("NeedleVersionHealth").WithSummary("Health windows of one version.");
    }

    private static Results<Ok<FunctionHealth>, ProblemHttpResult> GetFunction(string function, INeedleHealth health) =>
        health.GetFunction(function) is { } found
            ? TypedResults.Ok(found)
            : TypedResults.Problem($"Function '{function}' is not served and had no traffic recently.", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    private static Results<Ok<VersionHealth>, ProblemHttpResult> GetVersion(string function, int version, INeedleHealth health) =>
        health.GetVersion(function, version) is { } found
            ? TypedResults.Ok(found)
            : TypedResults.Problem($"Version {version} of '{function}' is not loaded and had no traffic recently.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
