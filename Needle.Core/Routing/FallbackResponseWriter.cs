using Microsoft.AspNetCore.Http;
using Needle.Hosting;
using Needle.Releases;
using Needle.Runtime;
using Needle.Serving;

namespace Needle.Routing;

/// <summary>Writes a killed function's fallback response: no version runs, the release header says <c>killed</c>.</summary>
internal static class FallbackResponseWriter
{
    public static Task WriteAsync(HttpContext http, ServedRelease entry, FallbackResponse fallback, NeedleOptions options)
    {
        var response = http.Response;
        response.Headers[options.VersionHeaderName] = entry.Stable.Function.Version.Label;
        response.Headers[options.Releases.ReleaseHeaderName] = "killed";
        response.Headers.ContentSecurityPolicy = FunctionEndpointHandler.SandboxPolicy;
        response.StatusCode = fallback.Status;
        foreach (var (name, value) in fallback.Headers ?? new Dictionary<string, string>())
        {
            // The API refuses such a fallback (400); one stored before that rule is served without the header.
            if (ResponseRules.CheckHeader(name, value, options, sandboxed: true) is null)
            {
                response.Headers.Append(name, value);
            }
        }

        if (fallback.Body is null)
        {
            return Task.CompletedTask;
        }

        response.ContentType = fallback.ContentType ?? "application/json; charset=utf-8";
        return response.WriteAsync(fallback.Body, http.RequestAborted);
    }
}
