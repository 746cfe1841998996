using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Needle.ControlPlane;
using Needle.Store;

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

    // Unknown names are thrown as Needle's exception: the API group's filter answers them (404) as every endpoint does.
    private static Ok<FunctionHealth> GetFunction(string function, INeedleHealth health) =>
        TypedResults.Ok(health.GetFunction(function)
            ?? throw new NeedleNotFoundException($"Function '{function}' is not served and had no traffic recently."));

    private static Ok<VersionHealth> GetVersion(string function, int version, INeedleHealth health) =>
        TypedResults.Ok(health.GetVersion(function, version)
            ?? throw new NeedleNotFoundException($"Version {version} of '{function}' is not loaded and had no traffic recently."));
}
