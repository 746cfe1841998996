using Needle.Functions;

namespace Needle.Store;

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

    /// <summary>
    /// Further audit events written in the same transaction, after the change's own (for example the
    /// <c>tests-skipped</c> event of a version that went around the quality gate): either all of them are in the log
    /// and the change is made, or neither. Default: none.
    /// </summary>
    public IReadOnlyList<AuditEntry>? MoreAudit { get; init; }
}
