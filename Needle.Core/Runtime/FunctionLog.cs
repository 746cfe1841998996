using Microsoft.Extensions.Logging;

namespace Needle.Runtime;

/// <summary>Log messages that functions write through <c>ctx.log</c>.</summary>
internal static partial class FunctionLog
{
    public static void Write(ILogger logger, LogLevel level, string function, int version, string requestId, string message)
    {
        if (logger.IsEnabled(level))
        {
            FunctionMessage(logger, level, function, version, requestId, message);
        }
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.FunctionMessage, Message = "[{Function}@{Version} {RequestId}] {FunctionMessage}")]
    private static partial void FunctionMessage(ILogger logger, LogLevel level, string function, int version, string requestId, string functionMessage);
}
