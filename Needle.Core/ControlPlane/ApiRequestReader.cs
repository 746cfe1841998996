using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Needle.Functions;
using Needle.Runtime;

namespace Needle.ControlPlane;

/// <summary>
/// Reads control-plane request bodies, turning malformed JSON into a validation error that says where (400
/// <c>Invalid function</c> with the line and column, through the API group's problem filter). For Core's endpoints and
/// every <see cref="INeedleApiContributor"/>'s.
/// </summary>
public static class ApiRequestReader
{
    /// <summary>Reads the body as JSON with the manifest serializer options (camelCase, case-insensitive names, comments and trailing commas allowed).</summary>
    /// <typeparam name="T">The body's type.</typeparam>
    /// <param name="request">The request.</param>
    /// <param name="required">Whether an empty body is refused; otherwise it reads as a new <typeparamref name="T"/>.</param>
    /// <returns>The body.</returns>
    /// <exception cref="FunctionValidationException">The body is missing (when required), not JSON, or malformed.</exception>
    public static async Task<T> ReadAsync<T>(HttpRequest request, bool required)
        where T : class, new()
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any()))
        {
            return required ? throw new FunctionValidationException("The request body is required (JSON).") : new T();
        }

        if (!request.HasJsonContentType())
        {
            throw new FunctionValidationException($"The request body must be JSON (Content-Type: application/json), not '{request.ContentType}'.");
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, ManifestJson.Options, request.HttpContext.RequestAborted).ConfigureAwait(false)
                ?? (required ? throw new FunctionValidationException("The request body is required (JSON).") : new T());
        }
        catch (JsonException ex)
        {
            var where = ex.Path is null ? "" : $" at {ex.Path}";
            var line = (int)(ex.LineNumber ?? -1) + 1;
            var column = (int)(ex.BytePositionInLine ?? -1) + 1;
            throw new FunctionValidationException([new FunctionDiagnostic($"The request body is not valid JSON{where}: {FirstSentence(ex.Message)}", line, column)]);
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
