using System.Text;
using System.Text.Unicode;

namespace Needle.Runtime.Downstream;

/// <summary>
/// What a downstream service answered; the body is read in full (up to the limit). A body that came as UTF-8 (no
/// charset, or <c>utf-8</c>) is kept as its bytes: its text is made on the first read of <see cref="Body"/>, and a
/// JSON reader can parse the bytes without it.
/// </summary>
internal sealed class DownstreamResponse
{
    private readonly byte[]? _utf8;
    private readonly int _utf8Length;
    private string? _body;

    /// <summary>A response whose body is already text.</summary>
    public DownstreamResponse(int status, IReadOnlyList<KeyValuePair<string, string>> headers, string body)
    {
        Status = status;
        Headers = headers;
        _body = body;
    }

    /// <summary>A response whose body is the first <paramref name="length"/> bytes of <paramref name="utf8"/>, as UTF-8.</summary>
    public DownstreamResponse(int status, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] utf8, int length)
    {
        Status = status;
        Headers = headers;
        _utf8 = utf8;
        _utf8Length = length;
    }

    /// <summary>The status code.</summary>
    public int Status { get; }

    /// <summary>The headers, as lower-case names, a repeated header's values joined with commas.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>
    /// The body as text. UTF-8 is decoded as the fetch standard's <c>text()</c> does: a leading byte order mark is
    /// dropped, an invalid sequence becomes U+FFFD.
    /// </summary>
    public string Body => _body ??= Decode(_utf8!, _utf8Length);

    /// <summary>
    /// The body as well-formed UTF-8 bytes, when it came as UTF-8 and is well formed; otherwise <see langword="false"/>
    /// (then read <see cref="Body"/>, where an invalid sequence reads as U+FFFD).
    /// </summary>
    public bool TryGetUtf8(out ReadOnlySpan<byte> utf8)
    {
        utf8 = _utf8 is null ? default : _utf8.AsSpan(0, _utf8Length);
        return _utf8 is not null && Utf8.IsValid(utf8);
    }

    private static string Decode(byte[] utf8, int length)
    {
        var span = utf8.AsSpan(0, length);
        return Encoding.UTF8.GetString(span.StartsWith(Encoding.UTF8.Preamble) ? span[Encoding.UTF8.Preamble.Length..] : span);
    }
}
