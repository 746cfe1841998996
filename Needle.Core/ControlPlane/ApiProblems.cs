using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Needle.Runtime;

namespace Needle.ControlPlane;

/// <summary>The control plane's problem results, shared by the handlers that answer them and by <see cref="ApiProblemFilter"/>.</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult Invalid(FunctionValidationException ex) =>
        TypedResults.Problem(
            title: "Invalid function",
            detail: ex.Message,
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["diagnostics"] = ex.Diagnostics });

    public static ProblemHttpResult FunctionNotFound(string name) => NotFound($"Function '{name}' does not exist.");

    public static ProblemHttpResult VersionNotFound(string name, int number) => NotFound($"Function '{name}' has no version {number}.");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);

    /// <summary>The title of the answer while the store cannot be reached.</summary>
    public const string StoreUnavailableTitle = "Store unavailable";

    /// <summary>
    /// 503 with <c>Retry-After</c>: the store cannot be reached, nothing changed, and the node keeps serving what it
    /// loaded. <paramref name="retryAfter"/> is when the store is tried again.
    /// </summary>
    public static ProblemHttpResult StoreUnavailable(HttpContext context, string detail, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            title: StoreUnavailableTitle,
            detail: detail,
            statusCode: StatusCodes.Status503ServiceUnavailable,
            extensions: new Dictionary<string, object?> { ["store"] = "unavailable" });
    }
}
