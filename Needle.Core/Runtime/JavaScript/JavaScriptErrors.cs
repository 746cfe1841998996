using System.Globalization;
using System.Text.RegularExpressions;
using Jint;
using Jint.Native;
using Jint.Native.Error;
using Jint.Native.Object;
using Jint.Runtime;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// Translates what an engine throws into <see cref="FunctionInvocationException"/>, and decides whether the engine
/// may serve again: only after a plain JavaScript error (or a bad response), which leaves its state consistent.
/// Limits and timeouts interrupt the engine at an arbitrary point, so it is discarded.
/// </summary>
internal static partial class JavaScriptErrors
{
    /// <summary>The failure a handler's rejected promise becomes.</summary>
    public static FunctionInvocationException FromRejection(JsValue reason, string function)
    {
        if (reason is ErrorInstance error0 && error0.Get("message") is JsString message && IsStackMessage(message.ToString()))
        {
            return StackExhausted(function, null);
        }

        var line = 0;
        if (reason is ObjectInstance error && error.Get("stack") is { } stack && stack.IsString())
        {
            var match = StackLocation().Match(stack.ToString());
            if (match.Success)
            {
                line = int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            }
        }

        return HandlerError(Describe(reason), line, null);
    }

    /// <summary>Translates <paramref name="exception"/>; <paramref name="keepEngine"/> says whether the engine can be reused.</summary>
    public static FunctionInvocationException Translate(Exception exception, InvocationContext context, out bool keepEngine)
    {
        keepEngine = false;
        var function = context.Version.Name;
        switch (exception)
        {
            case FunctionInvocationException failure:
                keepEngine = failure.Failure is InvocationFailure.HandlerError or InvocationFailure.InvalidResponse;
                return failure;
            case MemoryLimitExceededException:
                return Limit(function, "memory", exception);
            case StatementsCountOverflowException:
                return Limit(function, "statements", exception);
            case RecursionDepthOverflowException or InsufficientExecutionStackException:
                return Limit(function, "recursion", exception);
            case JavaScriptException js when IsStackExhausted(js):
                return StackExhausted(function, exception);
            case JavaScriptException js:
                keepEngine = true;
                return HandlerError(Describe(js.Error), js.Location.Start.Line, js);
            case TimeoutException or RegexMatchTimeoutException:
                return TimedOut(context, exception);
            case ExecutionCanceledException or OperationCanceledException:
                return IsAbort(context)
                    ? new FunctionInvocationException(InvocationFailure.Aborted, "The caller went away.", innerException: exception)
                    : TimedOut(context, exception);
            default:
                return new FunctionInvocationException(InvocationFailure.HandlerError, $"Function '{function}' failed.", innerException: exception);
        }
    }

    /// <summary>Whether <paramref name="exception"/> is the engine's stack guard firing (a <c>RangeError</c>).</summary>
    public static bool IsStackExhausted(JavaScriptException exception) =>
        exception.Error is ErrorInstance && IsStackMessage(exception.Message);

    private static bool IsStackMessage(string message) => message.StartsWith("Maximum call stack size exceeded", StringComparison.Ordinal);

    private static FunctionInvocationException StackExhausted(string function, Exception? exception) =>
        new(
            InvocationFailure.LimitExceeded,
            $"Function '{function}' exceeded its recursion limit: the host stack ran out (a value nested too deeply, or calls too deep).",
            "recursion",
            exception);

    /// <summary>The failure when a waiting call's token fires before an engine is free.</summary>
    public static FunctionInvocationException Canceled(InvocationContext context, Exception exception) =>
        IsAbort(context)
            ? new FunctionInvocationException(InvocationFailure.Aborted, "The caller went away.", innerException: exception)
            : TimedOut(context, exception);

    // The token fires at the timeout or when the caller goes away; only the clock tells them apart. A little
    // slack keeps a timer that fires a hair early, or a context created after the token, from reading as an abort.
    private static bool IsAbort(InvocationContext context)
    {
        var slack = TimeSpan.FromMilliseconds(Math.Min(50, context.Timeout.TotalMilliseconds / 2));
        return context.Elapsed < context.Timeout - slack;
    }

    private static FunctionInvocationException TimedOut(InvocationContext context, Exception exception) =>
        new(InvocationFailure.Timeout, $"Function '{context.Version.Name}' did not finish within {context.Timeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms.", innerException: exception);

    private static FunctionInvocationException Limit(string function, string limit, Exception exception) =>
        new(InvocationFailure.LimitExceeded, $"Function '{function}' exceeded its {limit} limit.", limit, exception);

    private static FunctionInvocationException HandlerError(string description, int line, Exception? exception) =>
        new(InvocationFailure.HandlerError, line > 0 ? $"{description} (line {line})" : description, innerException: exception);

    // "TypeError: message" for errors, the value itself for anything else thrown; never a stack trace.
    private static string Describe(JsValue value)
    {
        try
        {
            return value switch
            {
                ErrorInstance => TypeConverter.ToString(value),
                ObjectInstance obj when obj.Get("message") is { } message && message.IsString() => message.ToString(),
                ObjectInstance => "Uncaught " + value,
                _ => "Uncaught " + TypeConverter.ToString(value),
            };
        }
        catch (JavaScriptException)
        {
            return "Uncaught exception";
        }
    }

    [GeneratedRegex(@"function\.js:(\d+):\d+")]
    private static partial Regex StackLocation();
}
