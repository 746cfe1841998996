using Microsoft.Extensions.Logging;

namespace Needle.Runtime.CSharp;

/// <summary>Log messages of the C# runtime.</summary>
internal static partial class CSharpLog
{
    [LoggerMessage(EventId = Telemetry.NeedleEventIds.CSharpAbandoned, Level = LogLevel.Warning, Message = "{Version} did not finish within {TimeoutMs} ms and ignored its cancellation token; the request was answered and the work abandoned ({Abandoned} so far).")]
    public static partial void Abandoned(ILogger logger, string version, double timeoutMs, long abandoned);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.CSharpHandlerThrew, Level = LogLevel.Warning, Message = "{Version} threw.")]
    public static partial void HandlerThrew(ILogger logger, string version, Exception exception);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.CSharpImageReadFailed, Level = LogLevel.Warning, Message = "The compiled image {Key} could not be read from the store; compiling instead.")]
    public static partial void ArtifactReadFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.CSharpImageSaveFailed, Level = LogLevel.Warning, Message = "The compiled image {Key} could not be saved in the store; other nodes will compile it themselves.")]
    public static partial void ArtifactSaveFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.CSharpWarmedUp, Level = LogLevel.Information, Message = "C# compiler warmed up in {ElapsedMs:0} ms.")]
    public static partial void WarmedUp(ILogger logger, double elapsedMs);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.CSharpWarmUpFailed, Level = LogLevel.Warning, Message = "C# compiler warm-up failed; the first deploy will be slower.")]
    public static partial void WarmUpFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.CSharpBadImage, Level = LogLevel.Warning, Message = "The compiled image of {Version} from the store does not load; compiling instead.")]
    public static partial void BadImage(ILogger logger, string version, Exception exception);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.CSharpLoadAbandoned, Level = LogLevel.Error, Message = "{Version} did not finish loading within {TimeoutMs} ms: its load code (constructor, static constructor or field initialiser) still runs on an abandoned thread ({Stuck} such threads now); the load was refused.")]
    public static partial void LoadAbandoned(ILogger logger, string version, double timeoutMs, long stuck);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.CSharpImageRefused, Level = LogLevel.Warning, Message = "The compiled image {Key} in the store fails this build's checks; compiling from the source instead.")]
    public static partial void ArtifactRefused(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.CSharpUnloading, Level = LogLevel.Debug, Message = "Unloading {Version}.")]
    public static partial void Unloading(ILogger logger, string version);
}
