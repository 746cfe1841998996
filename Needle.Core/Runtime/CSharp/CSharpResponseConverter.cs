using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Needle.Runtime.CSharp;

/// <summary>
/// Turns what <c>InvokeAsync</c> returned into a <see cref="FunctionResponse"/>, as for JavaScript:
/// <see langword="null"/> is 204; a <see cref="FunctionResponse"/> is sent as it is (its status and headers
/// checked by <see cref="ResponseRules"/>); a string is a 200 <c>text/plain</c>; anything else is
/// serialised with the version's JSON options (web defaults) as a 200 <c>application/json</c>. A body larger than
/// <c>maxResponseKb</c> fails the call, and JSON stops being written as soon as it passes the limit.
/// </summary>
internal static class CSharpResponseConverter
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public const string TextContentType = "text/plain; charset=utf-8";

    private static readonly FunctionResponse NoContent = new() { StatusCode = 204 };

    [ThreadStatic]
    private static PooledBufferWriter? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

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
                return Serialize(result, json, maxBytes);
        }
    }

    private static FunctionResponse Serialize(object value, JsonSerializerOptions json, long maxBytes)
    {
        // Taken out of the thread's cache while in use: a getter or converter that completes a task inline may run
        // another request's conversion on this thread, which then makes its own.
        var buffer = t_buffer ?? new PooledBufferWriter();
        var writer = t_writer;
        t_buffer = null;
        t_writer = null;
        buffer.Start(maxBytes);
        try
        {
            // A writer of our own (one per thread, reset for each body) ignores the serializer options' encoder unless told.
            if (writer is null || writer.Options.Encoder != json.Encoder || writer.Options.Indented != json.WriteIndented)
            {
                writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = json.Encoder, Indented = json.WriteIndented });
            }
            else
            {
                writer.Reset(buffer);
            }

            JsonSerializer.Serialize(writer, value, value.GetType(), json);
            writer.Flush();
            var (array, length) = buffer.Detach();
            return FunctionResponse.FromUtf8(array, length, JsonContentType);
        }
        catch (ResponseTooLargeException)
        {
            throw TooLarge(maxBytes);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw Invalid($"The response cannot be serialised to JSON: {ex.Message}", ex);
        }
        finally
        {
            buffer.Clear();
            t_buffer = buffer;
            t_writer = writer;
        }
    }

    // Status and headers are checked for both runtimes by ResponseRules before the response is sent.
    private static void Validate(FunctionResponse response, long maxBytes)
    {
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

    private static FunctionInvocationException TooLarge(long maxBytes) =>
        Invalid($"The response is larger than the function's limit of {maxBytes / 1024} KB (maxResponseKb).");

    private static FunctionInvocationException Invalid(string message, Exception? inner = null) =>
        new(InvocationFailure.InvalidResponse, message, innerException: inner);

    private sealed class ResponseTooLargeException : Exception
    {
    }

    /// <summary>
    /// A buffer writer over arrays rented from <see cref="ArrayPool{T}.Shared"/> that refuses to grow past the limit.
    /// One per thread, reused: <see cref="Detach"/> hands the array to the response, <see cref="Clear"/> gives back
    /// what a failed serialisation left.
    /// </summary>
    private sealed class PooledBufferWriter : IBufferWriter<byte>
    {
        private byte[]? _buffer;
        private int _written;
        private long _maxBytes;

        public void Start(long maxBytes)
        {
            _maxBytes = maxBytes;
            _written = 0;
        }

        public (byte[] Array, int Length) Detach()
        {
            var array = _buffer ?? [];
            var length = _written;
            _buffer = null;
            _written = 0;
            return (array.Length == 0 ? ArrayPool<byte>.Shared.Rent(1) : array, length);
        }

        public void Clear()
        {
            if (_buffer is { } buffer)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _written = 0;
        }

        public void Advance(int count)
        {
            if (_written + (long)count > _maxBytes)
            {
                throw new ResponseTooLargeException();
            }

            _written += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_written);

        public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_written);

        private byte[] Ensure(int sizeHint)
        {
            // The limit is enforced on what is written (Advance): a writer asks for more than it writes (three bytes
            // a character for a string), so a size hint says nothing about the body's size.
            sizeHint = Math.Max(sizeHint, 1);
            var buffer = _buffer;
            if (buffer is not null && buffer.Length - _written >= sizeHint)
            {
                return buffer;
            }

            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(buffer is null ? 4096 : buffer.Length * 2, _written + sizeHint));
            if (buffer is not null)
            {
                buffer.AsSpan(0, _written).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _buffer = grown;
            return grown;
        }
    }
}
