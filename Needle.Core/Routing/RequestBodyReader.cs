using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Needle.Routing;

/// <summary>Reads a function request's body within the version's limit, and answers one past it (413).</summary>
internal static class RequestBodyReader
{
    /// <summary>Whether the request has a body to read: a length above zero, or a chunked body of unknown length.</summary>
    public static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>Reads the whole body as UTF-8 text, or returns <see langword="null"/> as soon as it passes <paramref name="limit"/>.</summary>
    public static async Task<string?> ReadAsync(PipeReader reader, long limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                var text = buffer.IsSingleSegment ? Encoding.UTF8.GetString(buffer.FirstSpan) : Encoding.UTF8.GetString(buffer.ToArray());
                reader.AdvanceTo(buffer.End);
                return text;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Answers a body larger than <paramref name="limit"/> bytes.</summary>
    public static Task WriteTooLargeAsync(HttpContext http, long limit) =>
        ProblemWriter.WriteAsync(
            http,
            StatusCodes.Status413PayloadTooLarge,
            "Request body too large",
            $"The request body is larger than the function's limit of {limit / 1024} KB.");
}
