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
}
