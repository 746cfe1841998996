using Microsoft.AspNetCore.Http;
using Needle.Functions;
using Needle.Hosting;
using Needle.Runtime;

namespace Needle.Routing;

/// <summary>Maps a failed invocation to its status and problem details.</summary>
internal static class InvocationProblems
{
    public static (int Status, string Title) Classify(FunctionInvocationException failure) => failure.Failure switch
    {
        InvocationFailure.Timeout => (StatusCodes.Status504GatewayTimeout, "Function timed out"),
        InvocationFailure.LimitExceeded => (StatusCodes.Status500InternalServerError, $"Sandbox limit exceeded: {failure.Limit}"),
        InvocationFailure.InvalidResponse => (StatusCodes.Status500InternalServerError, "Invalid function response"),
        InvocationFailure.Overloaded => (StatusCodes.Status503ServiceUnavailable, "Function overloaded"),
        _ => (StatusCodes.Status500InternalServerError, "Function failed"),
    };

    public static Task WriteAsync(HttpContext http, FunctionVersion version, FunctionInvocationException failure, NeedleOptions options)
    {
        var (status, title) = Classify(failure);
        if (failure.Failure == InvocationFailure.Overloaded)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(options.QueueTimeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var extensions = new Dictionary<string, object?>
        {
            ["function"] = version.Name,
            ["version"] = version.Number,
        };
        if (failure.Limit is not null)
        {
            extensions["limit"] = failure.Limit;
        }

        return ProblemWriter.WriteAsync(http, status, title, failure.Message, extensions);
    }
}
