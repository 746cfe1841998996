using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Needle.Quality;
using Needle.Store;

namespace Needle.ControlPlane.Endpoints;

/// <summary>Test cases on demand: a version's own, or cases in the body, run without it taking traffic.</summary>
internal static class TestCaseEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/functions/{name}/versions/{number:int}/test", TestAsync)
            .Accepts<TestRunRequest>("application/json")
            .Produces<TestRunResponse>()
            .WithName("NeedleTestVersion")
            .WithSummary("Runs a version's test cases, or the cases in the body, and returns each result; the version takes no traffic.");
    }

    private static async Task<IResult> TestAsync(string name, int number, HttpContext http, INeedleStore store, QualityGate quality, CancellationToken cancellationToken)
    {
        var body = await ApiRequestReader.ReadAsync<TestRunRequest>(http.Request, required: false);
        var version = await store.GetVersionAsync(name, number, cancellationToken)
            ?? throw new NeedleNotFoundException($"Function '{name}' has no version {number}.");
        var cases = body.Tests is null ? null : quality.Parse(body.Tests, "tests", version.Manifest);
        var run = await quality.RunAsync(version, null, cases, cancellationToken);
        return TypedResults.Ok(run);
    }
}
