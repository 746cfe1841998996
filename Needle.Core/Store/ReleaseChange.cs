namespace Needle.Store;

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
    /// Further audit events written in the same transaction, after the change's own (for example the
    /// <c>tests-skipped</c> event of a version that went around the quality gate): either all of them are in the log
    /// and the change is made, or neither. Default: none.
    /// </summary>
    public IReadOnlyList<AuditEntry>? MoreAudit { get; init; }

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
