namespace Needle.Rollback.Patches;

/// <summary>An emergency patch as a job: validate, apply to all traffic, watch, then keep it or revert it.</summary>
/// <param name="Id">The run's id (also the Hangfire job's argument).</param>
/// <param name="Function">The function.</param>
/// <param name="Kind"><c>diff</c>, <c>source</c>, <c>config</c> or <c>kill</c>.</param>
/// <param name="Request">The patch request as JSON.</param>
/// <param name="IdempotencyKey">The caller's idempotency key, if any.</param>
/// <param name="Status"><c>queued</c>, <c>watching</c>, <c>succeeded</c>, <c>reverted</c>, <c>superseded</c> (a newer patch replaced it during its watch) or <c>failed</c>.</param>
/// <param name="BaseVersion">The stable version the patch was made against.</param>
/// <param name="BaseErrorRatio">The base version's error ratio when the patch went out, to compare the patch with.</param>
/// <param name="Version">The version the patch created, once applied.</param>
/// <param name="WatchUntil">When the watch ends.</param>
/// <param name="Steps">What the job did, in order.</param>
/// <param name="Actor">Who asked for it.</param>
/// <param name="CreatedAt">When it was asked for.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record PatchRun(
    string Id,
    string Function,
    string Kind,
    string Request,
    string? IdempotencyKey,
    string Status,
    int BaseVersion,
    double? BaseErrorRatio,
    int? Version,
    DateTimeOffset? WatchUntil,
    IReadOnlyList<PatchRunStep> Steps,
    string Actor,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Waiting for the job to apply it.</summary>
    public const string Queued = "queued";

    /// <summary>Applied and serving; the job watches its error ratio.</summary>
    public const string Watching = "watching";

    /// <summary>A newer patch replaced it while it was watched: its watch ended and it is never reverted automatically.</summary>
    public const string Superseded = "superseded";

    /// <summary>
    /// Whether the run still has work to do. While it is <see cref="Queued"/> (validating, applying) a second patch for
    /// the function is refused; while it is <see cref="Watching"/> a new patch against the serving version supersedes it.
    /// </summary>
    public bool IsActive => Status is Queued or Watching;
}
