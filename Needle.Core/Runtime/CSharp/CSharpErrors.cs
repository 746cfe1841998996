using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Needle.Runtime.CSharp;

/// <summary>Turns what a C# function threw into <see cref="FunctionInvocationException"/>: type and message, and the line when the embedded PDB knows it; never a stack trace.</summary>
internal static class CSharpErrors
{
    public static FunctionInvocationException HandlerError(Exception exception, Assembly? function)
    {
        while (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }

        var line = function is null ? 0 : LineIn(exception, function);
        var message = $"{exception.GetType().Name}: {exception.Message}";
        return new FunctionInvocationException(InvocationFailure.HandlerError, line > 0 ? $"{message} (line {line})" : message, innerException: exception);
    }

    /// <summary>The failure when the invocation's token fired: the caller went away, or the timeout.</summary>
    public static FunctionInvocationException Canceled(InvocationContext context, Exception exception) =>
        IsAbort(context)
            ? new FunctionInvocationException(InvocationFailure.Aborted, "The caller went away.", innerException: exception)
            : new FunctionInvocationException(
                InvocationFailure.Timeout,
                $"Function '{context.Version.Name}' did not finish within {context.Timeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms.",
                innerException: exception);

    public static FunctionInvocationException Overloaded(string function, int maximum) =>
        new(InvocationFailure.Overloaded, $"Function '{function}' is at its concurrency limit ({maximum}); try again shortly.");

    // The token fires at the timeout or when the caller goes away; only the clock tells them apart (as for JavaScript).
    private static bool IsAbort(InvocationContext context)
    {
        var slack = TimeSpan.FromMilliseconds(Math.Min(50, context.Timeout.TotalMilliseconds / 2));
        return context.Elapsed < context.Timeout - slack;
    }

    private static int LineIn(Exception exception, Assembly function)
    {
        try
        {
            foreach (var frame in new StackTrace(exception, fNeedFileInfo: true).GetFrames())
            {
                if (frame.GetMethod()?.Module.Assembly == function && frame.GetFileLineNumber() is > 0 and var line)
                {
                    return line;
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A line number is a nicety; never fail the report over it.
        }

        return 0;
    }
}
