using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;
using Needle.Routing;
using Needle.Runtime;

namespace Needle.ControlPlane.Endpoints;

/// <summary>Test invocations: a version runs against a sample request and takes no traffic.</summary>
internal static class TestInvocationEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/functions/{name}/versions/{number:int}/invoke", InvokeAsync)
            .Accepts<InvokeRequest>("application/json")
            .WithName("NeedleTestInvoke").WithSummary("Runs a version against a sample request; it takes no traffic.");
    }

    private static async Task<IResult> InvokeAsync(string name, int number, HttpContext http, TestInvocationService testRuns, CancellationToken cancellationToken)
    {
        var sample = await ApiRequestReader.ReadAsync<InvokeRequest>(http.Request, required: false);
        var request = TestInvocationShapes.ToFunctionRequest(name, sample);
        var result = await testRuns.InvokeAsync(name, number, request, cancellationToken);
        return TypedResults.Ok(TestInvocationShapes.ToInvokeResponse(result));
    }
}
