using System.Buffers;
using System.Globalization;
using System.Text;

namespace Needle.Runtime;

/// <summary>Makes a function's log message safe for the host log: one line, no control characters.</summary>
internal static class FunctionLogText
{
    // C0 and C1 controls, DEL, and the Unicode line and paragraph separators: anything a log viewer may break a line on.
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F" +
        "\u007F\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F" +
        "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F\u2028\u2029");

    /// <summary>The host log level of a function's level name (<c>error</c>, <c>warn</c>, <c>debug</c>; anything else is information).</summary>
    public static Microsoft.Extensions.Logging.LogLevel LevelOf(string level) => level switch
    {
        "error" => Microsoft.Extensions.Logging.LogLevel.Error,
        "warn" => Microsoft.Extensions.Logging.LogLevel.Warning,
        "debug" => Microsoft.Extensions.Logging.LogLevel.Debug,
        _ => Microsoft.Extensions.Logging.LogLevel.Information,
    };

    /// <summary>
    /// Returns <paramref name="message"/> itself when it is safe (no allocation), else a copy with <c>\r</c>, <c>\n</c>,
    /// <c>\t</c> and every other control character written as an escape.
    /// </summary>
    public static string Escape(string message)
    {
        var first = message.AsSpan().IndexOfAny(Unsafe);
        if (first < 0)
        {
            return message;
        }

        var builder = new StringBuilder(message.Length + 16);
        builder.Append(message, 0, first);
        foreach (var c in message.AsSpan(first))
        {
            switch (c)
            {
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (Unsafe.Contains(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }
}
