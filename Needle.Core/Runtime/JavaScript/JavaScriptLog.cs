using Microsoft.Extensions.Logging;

namespace Needle.Runtime.JavaScript;

/// <summary>Host-side log messages of the JavaScript runtime.</summary>
internal static partial class JavaScriptLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Discarded an engine of {Function}@{Version} after {Failure}.")]
    public static partial void EngineDiscarded(ILogger logger, string function, int version, InvocationFailure failure, Exception exception);
}
