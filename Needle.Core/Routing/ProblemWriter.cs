using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Needle.Routing;

/// <summary>Writes RFC 7807 problem details (never a stack trace).</summary>
internal static class ProblemWriter
{
    public static Task WriteAsync(HttpContext http, int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Instance = http.Request.Path,
        };
        problem.Extensions["requestId"] = http.TraceIdentifier;
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }

        return TypedResults.Problem(problem).ExecuteAsync(http);
    }
}
