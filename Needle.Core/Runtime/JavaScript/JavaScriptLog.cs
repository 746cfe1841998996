using Microsoft.Extensions.Logging;

namespace Needle.Runtime.JavaScript;

/// <summary>Host-side log messages of the JavaScript runtime.</summary>
internal static partial class JavaScriptLog
{
    [LoggerMessage(EventId = Telemetry.NeedleEventIds.JavaScriptEngineDiscarded, Level = LogLevel.Debug, Message = "Discarded an engine of {Function}@{Version} after {Failure}.")]
    public static partial void EngineDiscarded(ILogger logger, string function, int version, InvocationFailure failure, Exception exception);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.JavaScriptEngineRecycled, Level = LogLevel.Debug, Message = "Recycled an engine of {Function}@{Version} after {Calls} calls, holding up to {HeldMb} MB.")]
    public static partial void EngineRecycled(ILogger logger, string function, int version, int calls, long heldMb);
}
