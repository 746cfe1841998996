using Microsoft.AspNetCore.Http;
using Needle.Runtime;

namespace Needle.Routing;

/// <summary>
/// Copies a function's response, already checked by <see cref="ResponseRules"/>, onto the HTTP response. Writes do not take the request's abort token: Kestrel ends
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

        // The UTF-8 form is tested first: Body would decode it.
        var utf8 = response.HasUtf8Body;
        var text = utf8 ? null : response.Body;
        if (text is null && !utf8)
        {
            return Task.CompletedTask;
        }

        if (!contentTypeSet && response.ContentType is not null)
        {
            httpResponse.ContentType = response.ContentType;
        }

        if (text is not null)
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
}
