using Needle.Telemetry;

namespace Needle.Rollback.Telemetry;

/// <summary>Needle.Rollback's log event ids, inside its range of <see cref="NeedleEventIds"/> (3000-3999); docs/logging.md lists them.</summary>
internal static class RollbackEventIds
{
    public const int GuardRolledBack = NeedleEventIds.RollbackFirst;
    public const int GuardFailed = NeedleEventIds.RollbackFirst + 1;
    public const int RollbackServed = NeedleEventIds.RollbackFirst + 2;
    public const int RollbackSkipped = NeedleEventIds.RollbackFirst + 3;
    public const int PlanStep = NeedleEventIds.RollbackFirst + 4;
    public const int PatchStep = NeedleEventIds.RollbackFirst + 5;
    public const int QueueUnavailable = NeedleEventIds.RollbackFirst + 6;

    // Cluster health (#15), from the end of the range: another node's guard (or a person) rolled the canary back first.
    public const int GuardRollbackLost = NeedleEventIds.RollbackLast - 9;
}
