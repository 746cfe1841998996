using System.Text;

namespace Needle.Cli.Tests.Infrastructure;

/// <summary>
/// A text writer a running command writes into while the test reads it: every write and <see cref="ToString"/> take
/// one lock, so a read never sees a half-appended buffer (a <see cref="StringWriter"/> is not safe for that).
/// </summary>
public sealed class SharedWriter : TextWriter
{
    private readonly Lock gate = new();
    private readonly StringBuilder text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (gate)
        {
            text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (gate)
        {
            text.Append(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (gate)
        {
            text.Append(buffer, index, count);
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (gate)
        {
            text.Append(buffer);
        }
    }

    public override string ToString()
    {
        lock (gate)
        {
            return text.ToString();
        }
    }
}
