using Microsoft.AspNetCore.Http;
using Needle.Runtime;

namespace Needle.Routing;

/// <summary>Copies a function's response onto the HTTP response.</summary>
internal static class ResponseWriter
{
    public static Task WriteAsync(HttpContext http, FunctionResponse response)
    {
        var httpResponse = http.Response;
        httpResponse.StatusCode = response.StatusCode;
        var contentTypeSet = false;
        foreach (var (name, value) in response.Headers)
        {
            if (IsReserved(name))
            {
                continue;
            }

            if (name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            {
                httpResponse.ContentType = value;
                contentTypeSet = true;
            }
            else
            {
                httpResponse.Headers.Append(name, value);
            }
        }

        if (response.Body is null)
        {
            return Task.CompletedTask;
        }

        if (!contentTypeSet && response.ContentType is not null)
        {
            httpResponse.ContentType = response.ContentType;
        }

        return httpResponse.WriteAsync(response.Body, http.RequestAborted);
    }

    // Framing headers belong to the server; a function cannot set them.
    private static bool IsReserved(string name) =>
        name.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("upgrade", StringComparison.OrdinalIgnoreCase);
}
