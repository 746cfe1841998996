using System.Buffers;

namespace Needle.Benchmarks.V8;

/// <summary>A growable byte buffer kept between calls (the response buffer a host would reuse).</summary>
internal sealed class PooledBuffer
{
    private readonly ArrayBufferWriter<byte> _writer = new(4096);

    /// <summary>The writer.</summary>
    public IBufferWriter<byte> Writer => _writer;

    /// <summary>What was written since the last <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _writer.WrittenSpan;

    /// <summary>What was written, as memory.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _writer.WrittenMemory;

    /// <summary>Empties the buffer, keeping its memory.</summary>
    public void Clear() => _writer.ResetWrittenCount();
}
