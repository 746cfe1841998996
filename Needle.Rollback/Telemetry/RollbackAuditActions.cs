namespace Needle.Rollback.Telemetry;

/// <summary>
/// The audit actions Needle.Rollback records beside Core's release actions (<see cref="Needle.Releases.ReleaseActions"/>).
/// The values are stored and returned by <c>GET /audit</c>: they never change.
/// </summary>
public static class RollbackAuditActions
{
    /// <summary>A rollback job saw this node serve the version it rolled back to; the detail has the duration.</summary>
    public const string RollbackServed = "rollback-served";

    /// <summary>A release plan was cancelled; the detail says whether its canary was aborted, kept or already gone.</summary>
    public const string PlanCancel = "plan-cancel";

    /// <summary>An emergency patch run kept its patch (the watch found it no worse than the base), or a kill switch went on.</summary>
    public const string PatchSucceeded = "patch-succeeded";

    /// <summary>An emergency patch run failed: the patch did not apply, or its revert was refused.</summary>
    public const string PatchFailed = "patch-failed";

    /// <summary>An emergency patch made things worse and was reverted to its base version.</summary>
    public const string PatchReverted = "patch-reverted";

    /// <summary>An emergency patch run ended because the release moved on, or a newer patch replaced it.</summary>
    public const string PatchSuperseded = "patch-superseded";

    /// <summary>The audit action of a patch run's last step (<c>succeeded</c>, <c>failed</c>, <c>reverted</c>, <c>superseded</c>).</summary>
    internal static string OfPatchStep(string step) => step switch
    {
        "succeeded" => PatchSucceeded,
        "failed" => PatchFailed,
        "reverted" => PatchReverted,
        "superseded" => PatchSuperseded,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "Not a last step of a patch run."),
    };
}
