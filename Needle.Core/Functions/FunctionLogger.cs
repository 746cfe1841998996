using Needle.Runtime;

namespace Needle.Functions;

/// <summary>
/// <see cref="FunctionContext.Log"/>: writes to the host's log with function, version and request id
/// (<c>ctx.log</c> in JavaScript). A message is cut at 16 KB.
/// </summary>
public sealed class FunctionLogger
{
    private const int MaxMessageLength = 16 * 1024;
    private readonly InvocationContext _context;

    internal FunctionLogger(InvocationContext context)
    {
        _context = context;
    }

    /// <summary>Writes an information message.</summary>
    public void Info(string message) => Write("info", message);

    /// <summary>Writes a warning.</summary>
    public void Warn(string message) => Write("warn", message);

    /// <summary>Writes an error.</summary>
    public void Error(string message) => Write("error", message);

    /// <summary>Writes a debug message.</summary>
    public void Debug(string message) => Write("debug", message);

    private void Write(string level, string? message)
    {
        message ??= "";
        _context.Log(level, message.Length > MaxMessageLength ? message[..MaxMessageLength] : message);
    }
}
