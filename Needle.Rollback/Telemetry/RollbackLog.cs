using Microsoft.Extensions.Logging;

namespace Needle.Rollback.Telemetry;

/// <summary>Needle.Rollback's log messages, with stable event ids (3000-3099).</summary>
internal static partial class RollbackLog
{
    [LoggerMessage(RollbackEventIds.GuardRolledBack, LogLevel.Warning, "Guard rolled back {Function}@{Version}: {Reason}")]
    public static partial void GuardRolledBack(ILogger logger, string function, int version, string reason);

    [LoggerMessage(RollbackEventIds.GuardFailed, LogLevel.Error, "Guard could not evaluate {Function}")]
    public static partial void GuardFailed(ILogger logger, Exception exception, string function);

    [LoggerMessage(RollbackEventIds.RollbackServed, LogLevel.Information, "Rollback of {Function} served after {DurationMs} ms (release {ReleaseId})")]
    public static partial void RollbackServed(ILogger logger, string function, double durationMs, long releaseId);

    [LoggerMessage(RollbackEventIds.RollbackSkipped, LogLevel.Information, "Rollback request {RequestId} for {Function} skipped: {Why}")]
    public static partial void RollbackSkipped(ILogger logger, string requestId, string function, string why);

    [LoggerMessage(RollbackEventIds.PlanStep, LogLevel.Information, "Release plan {PlanId} for {Function}: {What}")]
    public static partial void PlanStep(ILogger logger, string planId, string function, string what);

    [LoggerMessage(RollbackEventIds.PatchStep, LogLevel.Information, "Patch {PatchId} for {Function}: {What}")]
    public static partial void PatchStep(ILogger logger, string patchId, string function, string what);

    [LoggerMessage(RollbackEventIds.QueueUnavailable, LogLevel.Warning, "Hangfire is unavailable; {What} runs synchronously instead")]
    public static partial void QueueUnavailable(ILogger logger, Exception exception, string what);

    [LoggerMessage(RollbackEventIds.GuardRollbackLost, LogLevel.Debug, "Guard saw {Function}@{Version} in breach, but it was already rolled back or changed (another node's guard or a person moved first): {Why}")]
    public static partial void GuardRollbackLost(ILogger logger, string function, int version, string why);
}
