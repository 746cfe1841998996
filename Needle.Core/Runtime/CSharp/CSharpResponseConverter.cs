using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Needle.Runtime.CSharp;

/// <summary>
/// Turns what <c>InvokeAsync</c> returned into a <see cref="FunctionResponse"/>, as for JavaScript:
/// <see langword="null"/> is 204; a <see cref="FunctionResponse"/> is sent as it is (status 100 to 599, header
/// names that are tokens, values without line breaks); a string is a 200 <c>text/plain</c>; anything else is
/// serialised with the version's JSON options (web defaults) as a 200 <c>application/json</c>. A body larger than
/// <c>maxResponseKb</c> fails the call, and JSON stops being written as soon as it passes the limit.
/// </summary>
internal static class CSharpResponseConverter
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public const string TextContentType = "text/plain; charset=utf-8";

    private static readonly FunctionResponse NoContent = new() { StatusCode = 204 };

    public static FunctionResponse Convert(object? result, JsonSerializerOptions json, long maxBytes)
    {
        switch (result)
        {
            case null:
                return NoContent;
            case FunctionResponse response:
                Validate(response, maxBytes);
                return response;
            case string text:
                CheckSize(Encoding.UTF8.GetByteCount(text), maxBytes);
                return new FunctionResponse { Body = text, ContentType = TextContentType };
            default:
                return new FunctionResponse { Body = Serialize(result, json, maxBytes), ContentType = JsonContentType };
        }
    }

    private static string Serialize(object value, JsonSerializerOptions json, long maxBytes)
    {
        var buffer = new BoundedBufferWriter(maxBytes);
        try
        {
            // A writer of our own ignores the serializer options' encoder unless told.
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = json.Encoder, Indented = json.WriteIndented }))
            {
                JsonSerializer.Serialize(writer, value, value.GetType(), json);
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (ResponseTooLargeException)
        {
            throw TooLarge(maxBytes);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw Invalid($"The response cannot be serialised to JSON: {ex.Message}", ex);
        }
    }

    private static void Validate(FunctionResponse response, long maxBytes)
    {
        if (response.StatusCode is < 100 or > 599)
        {
            throw Invalid($"The response status must be an integer from 100 to 599, not {response.StatusCode.ToString(CultureInfo.InvariantCulture)}.");
        }

        foreach (var (name, value) in response.Headers ?? [])
        {
            if (string.IsNullOrEmpty(name) || !name.All(IsTokenChar))
            {
                throw Invalid($"'{name}' is not a valid header name.");
            }

            if (value is null || value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                throw Invalid($"The value of header '{name}' is missing or contains a line break.");
            }
        }

        if (response.Body is { } body)
        {
            CheckSize(Encoding.UTF8.GetByteCount(body), maxBytes);
        }
    }

    private static void CheckSize(long bytes, long maxBytes)
    {
        if (bytes > maxBytes)
        {
            throw TooLarge(maxBytes);
        }
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static FunctionInvocationException TooLarge(long maxBytes) =>
        Invalid($"The response is larger than the function's limit of {maxBytes / 1024} KB (maxResponseKb).");

    private static FunctionInvocationException Invalid(string message, Exception? inner = null) =>
        new(InvocationFailure.InvalidResponse, message, innerException: inner);

    private sealed class ResponseTooLargeException : Exception
    {
    }

    /// <summary>An <see cref="ArrayBufferWriter{T}"/> that refuses to grow past the limit.</summary>
    private sealed class BoundedBufferWriter(long maxBytes) : IBufferWriter<byte>
    {
        private readonly ArrayBufferWriter<byte> _inner = new(4096);

        public ReadOnlySpan<byte> WrittenSpan => _inner.WrittenSpan;

        public void Advance(int count)
        {
            if (_inner.WrittenCount + (long)count > maxBytes)
            {
                throw new ResponseTooLargeException();
            }

            _inner.Advance(count);
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(Guard(sizeHint));

        public Span<byte> GetSpan(int sizeHint = 0) => _inner.GetSpan(Guard(sizeHint));

        private int Guard(int sizeHint) =>
            _inner.WrittenCount + (long)sizeHint > maxBytes + 1024 * 1024 ? throw new ResponseTooLargeException() : sizeHint;
    }
}
