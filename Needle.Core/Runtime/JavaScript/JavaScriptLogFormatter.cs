using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Error;
using Jint.Native.Json;
using Jint.Native.Object;
using Jint.Runtime;

namespace Needle.Runtime.JavaScript;

/// <summary>Formats <c>ctx.log.*</c> arguments as <c>console.log</c> does: joined by spaces, objects as JSON.</summary>
internal static class JavaScriptLogFormatter
{
    /// <summary>Longest message kept; a function cannot flood the host log with one call.</summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>Formats the arguments of one log call.</summary>
    public static string Format(Engine engine, JsValue[] arguments)
    {
        if (arguments.Length == 1 && arguments[0].IsString())
        {
            return Truncate(arguments[0].ToString());
        }

        var builder = new StringBuilder();
        for (var i = 0; i < arguments.Length && builder.Length < MaxLength; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(FormatOne(engine, arguments[i]));
        }

        return Truncate(builder.ToString());
    }

    private static string FormatOne(Engine engine, JsValue value)
    {
        switch (value)
        {
            case JsString:
                return value.ToString();
            case ErrorInstance:
                return TypeConverter.ToString(value);
            case ObjectInstance obj when obj.IsCallable():
                return "[Function]";
            case ObjectInstance:
                try
                {
                    // Bounded: a log line is cut at MaxLength, so the host never walks more of a value than that.
                    return JavaScriptJsonWriter.SerializeTruncated(engine, value, MaxLength) ?? value.ToString();
                }
                catch (Exception ex) when ((ex is JavaScriptException js && !JavaScriptErrors.IsStackExhausted(js)) || ex is JavaScriptJsonWriter.NotSerializableException)
                {
                    // Cyclic or BigInt-holding objects still deserve a line in the log.
                    return SafeToString(value);
                }

            default:
                return value.ToString();
        }
    }

    private static string SafeToString(JsValue value)
    {
        try
        {
            return value.ToString();
        }
        catch (JavaScriptException)
        {
            return "[object]";
        }
    }

    private static string Truncate(string message) =>
        message.Length <= MaxLength ? message : string.Concat(message.AsSpan(0, MaxLength), "…");
}
