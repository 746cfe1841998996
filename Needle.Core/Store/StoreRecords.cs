using Needle.Functions;

namespace Needle.Store;

/// <summary>A function with its current release.</summary>
/// <param name="Name">The function name.</param>
/// <param name="CreatedAt">When it was first deployed.</param>
/// <param name="LatestVersion">The highest version number.</param>
/// <param name="Release">The current release, or <see langword="null"/> when no version was activated yet.</param>
public sealed record FunctionRecord(string Name, DateTimeOffset CreatedAt, int LatestVersion, ReleaseRecord? Release);

/// <summary>One row of a function's release history: which versions serve it from <see cref="Revision"/> on.</summary>
/// <param name="Id">The row id.</param>
/// <param name="Function">The function name.</param>
/// <param name="StableVersion">The version that serves all traffic not sent to the canary.</param>
/// <param name="CanaryVersion">The canary version, if any.</param>
/// <param name="CanaryWeight">The share of traffic, in percent (0–100), that the canary gets.</param>
/// <param name="Action">What produced the row: <c>deploy</c>, <c>activate</c>, <c>promote</c>, <c>rollback</c> ...</param>
/// <param name="Revision">The store revision this row produced.</param>
/// <param name="Actor">Who made the change.</param>
/// <param name="Reason">Why, when given.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="Pins">User keys that always get the canary.</param>
/// <param name="KillSwitch">When set, the function answers this response instead of running any version.</param>
public sealed record ReleaseRecord(
    long Id,
    string Function,
    int StableVersion,
    int? CanaryVersion,
    double CanaryWeight,
    string Action,
    long Revision,
    string Actor,
    string? Reason,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string>? Pins = null,
    Releases.FallbackResponse? KillSwitch = null)
{
    /// <summary>
    /// A change that starts from this release: the same versions, weight, pins and kill switch, expected to still be
    /// current when written. Callers change only what they move (<c>release.Change(...) with { CanaryVersion = null }</c>),
    /// so nothing (the kill switch above all) is dropped by a change that did not mean to touch it.
    /// </summary>
    /// <param name="action">What the change is, one of <see cref="Releases.ReleaseActions"/>.</param>
    /// <param name="actor">Who makes it.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The change, with <see cref="ReleaseChange.ExpectedReleaseId"/> set to this row.</returns>
    public ReleaseChange Change(string action, string actor, string? reason) =>
        new(Function, StableVersion, CanaryVersion, CanaryWeight, action, actor, reason, Pins, Id, KillSwitch: KillSwitch);
}

/// <summary>A version to add.</summary>
/// <param name="Function">The function name.</param>
/// <param name="Source">The source text.</param>
/// <param name="Manifest">The manifest.</param>
/// <param name="ContentHash">The content hash of source and manifest.</param>
/// <param name="Author">Who deploys it.</param>
/// <param name="Activate">Whether a release serving it as stable is written in the same transaction.</param>
/// <param name="Reason">Why, for the audit trail.</param>
/// <param name="ParentNumber">The version it patches, if any.</param>
/// <param name="Canary">
/// When set (and <paramref name="Activate"/> is not), the new version becomes the function's canary in the same
/// transaction, beside the stable version the placement names.
/// </param>
public sealed record NewVersion(
    string Function,
    string Source,
    FunctionManifest Manifest,
    string ContentHash,
    string Author,
    bool Activate,
    string? Reason = null,
    int? ParentNumber = null,
    CanaryPlacement? Canary = null)
{
    /// <summary>
    /// When set, the version is written only under this number (the function's next, as
    /// <see cref="INeedleStore.GetNextVersionNumberAsync"/> gave it); when another version came first,
    /// <see cref="NeedleConflictException"/> is thrown and nothing is written. A deploy loads the version under its
    /// number before writing it, so the number it loaded is the number that serves.
    /// </summary>
    public int? ExpectedNumber { get; init; }

    /// <summary>
    /// With <see cref="Activate"/>, the release the new one replaces: if another change came first,
    /// <see cref="NeedleConflictException"/> is thrown and nothing is written. Default: not checked.
    /// </summary>
    public long? ExpectedReleaseId { get; init; }

    /// <summary>The kill switch the release written keeps (the caller carries it over from the release it replaces). Default: none.</summary>
    public Releases.FallbackResponse? KillSwitch { get; init; }

    /// <summary>The detail of the deploy's audit event (the caller's wording). Default: none.</summary>
    public string? AuditDetail { get; init; }
}

/// <summary>Where a new version goes as a canary.</summary>
/// <param name="StableVersion">The stable version it runs beside.</param>
/// <param name="Weight">Its share of traffic in percent.</param>
/// <param name="Pins">User keys that always get it.</param>
/// <param name="ExpectedReleaseId">The release it replaces; if another change came first, nothing is written.</param>
public sealed record CanaryPlacement(int StableVersion, double Weight, IReadOnlyList<string>? Pins, long ExpectedReleaseId);

/// <summary>The outcome of <see cref="INeedleStore.AddVersionAsync"/>.</summary>
/// <param name="Version">The version written.</param>
/// <param name="Release">The release written when the version was activated.</param>
/// <param name="Revision">The store revision after the change.</param>
public sealed record DeployResult(FunctionVersion Version, ReleaseRecord? Release, long Revision);

/// <summary>A change of release.</summary>
/// <param name="Function">The function name.</param>
/// <param name="StableVersion">The stable version after the change.</param>
/// <param name="CanaryVersion">The canary version after the change, if any.</param>
/// <param name="CanaryWeight">The canary weight in percent.</param>
/// <param name="Action">What the change is (<c>activate</c>, <c>promote</c>, <c>rollback</c> ...), recorded on the row and the audit event.</param>
/// <param name="Actor">Who makes it.</param>
/// <param name="Reason">Why.</param>
/// <param name="Pins">User keys that always get the canary.</param>
/// <param name="ExpectedReleaseId">
/// When set, the change is made only if the function's current release is still this row; otherwise
/// <see cref="NeedleConflictException"/> is thrown and nothing changes (two operators acting at once).
/// </param>
/// <param name="MarkBad">A version to mark bad in the same transaction (a rollback marks the version it leaves).</param>
/// <param name="KillSwitch">The fallback response that answers instead of any version, when the kill switch is on.</param>
public sealed record ReleaseChange(
    string Function,
    int StableVersion,
    int? CanaryVersion,
    double CanaryWeight,
    string Action,
    string Actor,
    string? Reason,
    IReadOnlyList<string>? Pins = null,
    long? ExpectedReleaseId = null,
    int? MarkBad = null,
    Releases.FallbackResponse? KillSwitch = null)
{
    /// <summary>The detail of the change's audit event (the caller's wording, see <c>ReleaseAudit</c>). Default: none.</summary>
    public string? AuditDetail { get; init; }

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> when the change cannot be stored whatever the policy: a weight
    /// outside 0–100 %. Every store calls it before writing, so no store dialect accepts what another refuses.
    /// </summary>
    public void ThrowIfUnstorable()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Function);
        ArgumentException.ThrowIfNullOrWhiteSpace(Action);
        ArgumentException.ThrowIfNullOrWhiteSpace(Actor);
        if (double.IsNaN(CanaryWeight) || CanaryWeight < 0 || CanaryWeight > 100)
        {
            throw new ArgumentOutOfRangeException(
                nameof(CanaryWeight),
                CanaryWeight,
                $"The canary weight of '{Function}' must be between 0 and 100 percent.");
        }
    }
}

/// <summary>
/// What the store releases: one entry per function that has a release and is not deleted. Each node makes what it
/// serves (its <c>ServingSnapshot</c>) follow this.
/// </summary>
/// <param name="Revision">The store revision this state is at.</param>
/// <param name="Functions">The releases with their versions.</param>
public sealed record ReleaseState(long Revision, IReadOnlyList<ReleasedFunction> Functions);

/// <summary>A function's current release with the versions it names, as the store holds them.</summary>
/// <param name="Release">The release row.</param>
/// <param name="Stable">The stable version.</param>
/// <param name="Canary">The canary version, if any.</param>
public sealed record ReleasedFunction(ReleaseRecord Release, FunctionVersion Stable, FunctionVersion? Canary);

/// <summary>An audit event to append.</summary>
/// <param name="Actor">Who.</param>
/// <param name="Action">What, for example <c>deploy</c> or <c>deploy-failed</c>.</param>
/// <param name="Function">The function, if any.</param>
/// <param name="Version">The version, if any.</param>
/// <param name="Reason">Why, when given.</param>
/// <param name="Detail">More detail (for a failed deploy, the diagnostics).</param>
public sealed record AuditEntry(string Actor, string Action, string? Function, int? Version, string? Reason, string? Detail);

/// <summary>One audit event.</summary>
/// <param name="Id">The event id, increasing.</param>
/// <param name="At">When.</param>
/// <param name="Actor">Who.</param>
/// <param name="Action">What.</param>
/// <param name="Function">The function, if any.</param>
/// <param name="Version">The version, if any.</param>
/// <param name="Revision">The revision the change produced, if it changed what serves.</param>
/// <param name="Reason">Why.</param>
/// <param name="Detail">More detail.</param>
public sealed record AuditEvent(
    long Id,
    DateTimeOffset At,
    string Actor,
    string Action,
    string? Function,
    int? Version,
    long? Revision,
    string? Reason,
    string? Detail);

/// <summary>A filter over the audit log.</summary>
/// <param name="Function">Only events of this function.</param>
/// <param name="Limit">At most this many (1–1,000).</param>
/// <param name="BeforeId">Only events older than this id (for paging).</param>
public sealed record AuditQuery(string? Function = null, int Limit = 100, long? BeforeId = null);

/// <summary>A host instance and the revision it serves.</summary>
/// <param name="NodeId">The node's id.</param>
/// <param name="Revision">The revision it serves.</param>
/// <param name="UpdatedAt">When it last reported.</param>
public sealed record NodeRecord(string NodeId, long Revision, DateTimeOffset UpdatedAt);
