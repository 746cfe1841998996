using Microsoft.Extensions.Logging;

namespace Needle.Rollback.Telemetry;

/// <summary>Needle.Rollback's log messages, with stable event ids (3000-3099).</summary>
internal static partial class RollbackLog
{
    [LoggerMessage(3000, LogLevel.Warning, "Guard rolled back {Function}@{Version}: {Reason}")]
    public static partial void GuardRolledBack(ILogger logger, string function, int version, string reason);

    [LoggerMessage(3001, LogLevel.Error, "Guard could not evaluate {Function}")]
    public static partial void GuardFailed(ILogger logger, Exception exception, string function);

    [LoggerMessage(3002, LogLevel.Information, "Rollback of {Function} served after {DurationMs} ms (release {ReleaseId})")]
    public static partial void RollbackServed(ILogger logger, string function, double durationMs, long releaseId);

    [LoggerMessage(3003, LogLevel.Information, "Rollback request {RequestId} for {Function} skipped: {Why}")]
    public static partial void RollbackSkipped(ILogger logger, string requestId, string function, string why);

    [LoggerMessage(3004, LogLevel.Information, "Release plan {PlanId} for {Function}: {What}")]
    public static partial void PlanStep(ILogger logger, string planId, string function, string what);

    [LoggerMessage(3005, LogLevel.Information, "Patch {PatchId} for {Function}: {What}")]
    public static partial void PatchStep(ILogger logger, string patchId, string function, string what);

    [LoggerMessage(3006, LogLevel.Warning, "Hangfire is unavailable; {What} runs synchronously instead")]
    public static partial void QueueUnavailable(ILogger logger, Exception exception, string what);
}
