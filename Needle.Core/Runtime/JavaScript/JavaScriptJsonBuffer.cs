using System.Buffers;
using System.Text;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// The text <see cref="JavaScriptJsonWriter"/> builds, as UTF-8 in an array rented from <see cref="ArrayPool{T}.Shared"/>:
/// a response body goes from the function's value to the bytes the response pipe copies, with no string between.
/// <see cref="Length"/> counts bytes; a length read earlier can be set back to drop what was written after it.
/// </summary>
internal sealed class JavaScriptJsonBuffer : IDisposable
{
    private const int InitialSize = 256;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _length;

    /// <summary>Bytes written; setting it to an earlier value truncates.</summary>
    public int Length
    {
        get => _length;
        set => _length = value is >= 0 && value <= _length ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    /// <summary>Appends one character that is not a surrogate.</summary>
    public JavaScriptJsonBuffer Append(char c)
    {
        if (c < 0x80)
        {
            Ensure(1)[0] = (byte)c;
            _length++;
            return this;
        }

        return Append(new ReadOnlySpan<char>(in c));
    }

    /// <summary>Appends text; a lone surrogate in it is written as U+FFFD (the writer escapes those before they get here).</summary>
    public JavaScriptJsonBuffer Append(string text) => Append(text.AsSpan());

    /// <summary>Appends text.</summary>
    public JavaScriptJsonBuffer Append(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return this;
        }

        var span = Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, span);
        return this;
    }

    /// <summary>The text written so far.</summary>
    public override string ToString() => Encoding.UTF8.GetString(_buffer, 0, _length);

    /// <summary>Hands the array (and the duty to return it to the pool) to the caller; the buffer is empty afterwards.</summary>
    public byte[] Detach(out int length)
    {
        var buffer = _buffer;
        length = _length;
        _buffer = [];
        _length = 0;
        return buffer;
    }

    /// <summary>Returns the array to the pool unless it was detached.</summary>
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Span<byte> Ensure(int count)
    {
        if (_buffer.Length - _length < count)
        {
            var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_length + count)));
            _buffer.AsSpan(0, _length).CopyTo(grown);
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = grown;
        }

        return _buffer.AsSpan(_length);
    }
}
