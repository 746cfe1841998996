using System.Buffers.Binary;
using System.Net.Sockets;

namespace Needle.Benchmarks.V8;

/// <summary>
/// The worker protocol: each message is a 4-byte little-endian length and that many bytes of UTF-8. A request is the
/// <c>{requestId, req}</c> JSON; a response is the status in three ASCII digits followed by the body.
/// </summary>
internal static class Frames
{
    /// <summary>The largest frame either side accepts (16 MiB): past it the peer is broken or hostile.</summary>
    public const int MaxLength = 16 << 20;

    /// <summary>Reads exactly <paramref name="buffer"/>'s length; false when the peer closed before the first byte.</summary>
    public static bool ReadExactly(Socket socket, Span<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = socket.Receive(buffer[read..]);
            if (n == 0)
            {
                if (read == 0)
                {
                    return false;
                }

                throw new EndOfStreamException("The peer closed the connection in the middle of a frame.");
            }

            read += n;
        }

        return true;
    }

    /// <summary>Reads a frame's length prefix; -1 when the peer closed.</summary>
    public static int ReadLength(Socket socket)
    {
        Span<byte> prefix = stackalloc byte[4];
        if (!ReadExactly(socket, prefix))
        {
            return -1;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        return length is < 0 or > MaxLength ? throw new InvalidDataException($"A frame of {length} bytes is outside 0..{MaxLength}.") : length;
    }

    /// <summary>Sends a frame whose payload the caller wrote at <paramref name="buffer"/>[4..]: fills in the prefix, one send.</summary>
    public static void Write(Socket socket, byte[] buffer, int payloadLength)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer, payloadLength);
        ReadOnlySpan<byte> frame = buffer.AsSpan(0, payloadLength + 4);
        while (!frame.IsEmpty)
        {
            frame = frame[socket.Send(frame)..];
        }
    }
}
