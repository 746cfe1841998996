using Microsoft.AspNetCore.Http;
using Needle.Runtime;

namespace Needle.Routing;

/// <summary>
/// Copies a function's response onto the HTTP response. Writes do not take the request's abort token: Kestrel ends
/// them when the connection goes, and asking for the token would make it for every request.
/// </summary>
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

        if (response.Body is null && !response.HasUtf8Body)
        {
            return Task.CompletedTask;
        }

        if (!contentTypeSet && response.ContentType is not null)
        {
            httpResponse.ContentType = response.ContentType;
        }

        if (response.Body is { } text)
        {
            return httpResponse.WriteAsync(text, CancellationToken.None);
        }

        // Serialised straight to UTF-8 by the runtime: one copy into the response pipe, and the buffer goes back to the pool.
        var body = response.Utf8Body;
        httpResponse.ContentLength = body.Length;
        var write = httpResponse.BodyWriter.WriteAsync(body, CancellationToken.None);
        if (write.IsCompletedSuccessfully)
        {
            response.ReturnUtf8Buffer();
            return Task.CompletedTask;
        }

        return AwaitAndReturnAsync(write, response);
    }

    private static async Task AwaitAndReturnAsync(ValueTask<System.IO.Pipelines.FlushResult> write, FunctionResponse response)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        finally
        {
            response.ReturnUtf8Buffer();
        }
    }

    // Framing headers belong to the server; a function cannot set them.
    private static bool IsReserved(string name) =>
        name.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("upgrade", StringComparison.OrdinalIgnoreCase);
}
