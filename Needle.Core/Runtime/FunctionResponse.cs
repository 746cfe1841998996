using System.Buffers;
using System.Text;

namespace Needle.Runtime;

/// <summary>What a function answered: a status, headers and a body as text.</summary>
public sealed class FunctionResponse
{
    private byte[]? _utf8Buffer;
    private string? _body;

    /// <summary>The HTTP status code. 200 when the function returned a plain value.</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>Response headers the function set.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>
    /// The body, already serialised (JSON for objects and arrays), or <see langword="null"/> for none. A body the runtime
    /// serialised straight to UTF-8 is decoded on each read (the response writer sends the bytes as they are).
    /// </summary>
    public string? Body
    {
        get => _body ?? (_utf8Buffer is { } buffer ? Encoding.UTF8.GetString(buffer, 0, Utf8Length) : null);
        init => _body = value;
    }

    /// <summary>The body's content type, unless a header sets it.</summary>
    public string? ContentType { get; init; }

    /// <summary>
    /// The body as UTF-8 bytes in a buffer rented from <see cref="ArrayPool{T}.Shared"/>, when the runtime serialised
    /// it straight to UTF-8 (<see cref="Body"/> is then <see langword="null"/>). The response writer copies it out and
    /// gives the buffer back.
    /// </summary>
    internal ReadOnlyMemory<byte> Utf8Body => _utf8Buffer is { } buffer ? buffer.AsMemory(0, Utf8Length) : default;

    /// <summary>Whether the body is held as UTF-8 bytes (<see cref="Utf8Body"/>).</summary>
    internal bool HasUtf8Body => _utf8Buffer is not null;

    /// <summary>The body as text, whichever way it is held.</summary>
    internal string? BodyText => Body;

    private int Utf8Length { get; init; }

    /// <summary>A response whose body is <paramref name="length"/> bytes of UTF-8 in a pooled <paramref name="buffer"/>, now owned by the response.</summary>
    internal static FunctionResponse FromUtf8(byte[] buffer, int length, string? contentType, int statusCode = 200, IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        new() { _utf8Buffer = buffer, Utf8Length = length, ContentType = contentType, StatusCode = statusCode, Headers = headers ?? [] };

    /// <summary>Gives the pooled body buffer back once it has been copied out; the body is gone afterwards.</summary>
    internal void ReturnUtf8Buffer()
    {
        if (Interlocked.Exchange(ref _utf8Buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
