namespace Needle.Releases;

/// <summary>
/// The actions recorded on release rows (<see cref="Store.ReleaseRecord.Action"/>) and audit events
/// (<see cref="Store.AuditEvent.Action"/>). The values are stored and returned by the API: they never change.
/// </summary>
public static class ReleaseActions
{
    /// <summary>A deploy: a new version (the audit event of every deploy; the release row when it serves as stable at once).</summary>
    public const string Deploy = "deploy";

    /// <summary>A deploy that failed validation (audit only).</summary>
    public const string DeployFailed = "deploy-failed";

    /// <summary>An existing version made the stable one.</summary>
    public const string Activate = "activate";

    /// <summary>A canary placed, or its weight or pins changed.</summary>
    public const string Canary = "canary";

    /// <summary>A whole release set that keeps its stable version and has no canary.</summary>
    public const string Release = "release";

    /// <summary>The canary became the stable version.</summary>
    public const string Promote = "promote";

    /// <summary>The canary was removed.</summary>
    public const string Abort = "abort";

    /// <summary>A rollback: the canary removed, or an earlier stable version back, and the version left marked bad.</summary>
    public const string Rollback = "rollback";

    /// <summary>The kill switch turned on.</summary>
    public const string Kill = "kill";

    /// <summary>The kill switch lifted.</summary>
    public const string Revive = "revive";

    /// <summary>A function deleted (audit only).</summary>
    public const string Delete = "delete";

    /// <summary>An emergency patch applied (audit only).</summary>
    public const string Patch = "patch";

    /// <summary>A version took a role without running its test cases: <c>skipTests</c> on a gated route, with its reason; the detail names the route (audit only).</summary>
    public const string TestsSkipped = "tests-skipped";
}
