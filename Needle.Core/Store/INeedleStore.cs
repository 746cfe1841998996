using Needle.Functions;

namespace Needle.Store;

/// <summary>
/// The source of truth for functions, versions, releases, the revision counter, audit events and nodes.
/// Every method that changes anything does it in one transaction: a crash leaves the old state or the new.
/// The default implementation is SQLite; a cluster shares one PostgreSQL store.
/// </summary>
public interface INeedleStore
{
    /// <summary>Creates or upgrades the schema (embedded migrations). Called once at start, before anything else.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>The store-wide revision: bumped by every change of what serves.</summary>
    Task<long> GetRevisionAsync(CancellationToken cancellationToken = default);

    /// <summary>What every node should serve: the current release of each function that is not deleted, with its versions.</summary>
    Task<ReleaseState> GetReleaseStateAsync(CancellationToken cancellationToken = default);

    /// <summary>All functions that are not deleted, with their current release.</summary>
    Task<IReadOnlyList<FunctionRecord>> ListFunctionsAsync(CancellationToken cancellationToken = default);

    /// <summary>One function that is not deleted, or <see langword="null"/>.</summary>
    Task<FunctionRecord?> GetFunctionAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The versions of a function, newest first.</summary>
    Task<IReadOnlyList<FunctionVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>One version, or <see langword="null"/>.</summary>
    Task<FunctionVersion?> GetVersionAsync(string name, int number, CancellationToken cancellationToken = default);

    /// <summary>
    /// The number the next version of <paramref name="name"/> gets: one more than the highest it ever had (deleted
    /// or not), 1 for a new function. The store's rule, in one place; see <see cref="NewVersion.ExpectedNumber"/>.
    /// </summary>
    /// <param name="name">The function name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<int> GetNextVersionNumberAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a version (number = the function's highest + 1; the function is created, or brought back if deleted),
    /// and when <see cref="NewVersion.Activate"/> is set, a release that serves it as stable. Writes the audit
    /// event and bumps the revision when the release changes. One transaction; concurrent calls are serialised.
    /// </summary>
    Task<DeployResult> AddVersionAsync(NewVersion version, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a new release row for a function (history is never updated in place), bumps the revision and
    /// writes the audit event. Throws <see cref="NeedleNotFoundException"/> when the function or a version is unknown,
    /// and <see cref="NeedleConflictException"/> when <see cref="ReleaseChange.ExpectedReleaseId"/> is no longer current.
    /// </summary>
    Task<ReleaseRecord> SetReleaseAsync(ReleaseChange change, CancellationToken cancellationToken = default);

    /// <summary>The versions of a function marked bad (by a rollback), with why.</summary>
    Task<IReadOnlyList<VersionMark>> ListBadVersionsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The release history of a function, newest first.</summary>
    Task<IReadOnlyList<ReleaseRecord>> ListReleasesAsync(string name, int limit, CancellationToken cancellationToken = default);

    /// <summary>Marks a function deleted (its versions stay for the audit trail), bumps the revision, audits. Returns the new revision.</summary>
    Task<long> DeleteFunctionAsync(string name, string actor, string? reason, CancellationToken cancellationToken = default);

    /// <summary>Appends an audit event that changes nothing else (for example a failed deploy).</summary>
    Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends an audit event unless one with the same actor, action, function, version and detail was recorded at or
    /// after <paramref name="since"/>; the check and the write are one write transaction, so several nodes recording
    /// the same event at once (each seeing one broken file in a folder they all watch) record it once. The default
    /// (for stores without such transactions) checks and appends in two steps.
    /// </summary>
    /// <param name="entry">The event.</param>
    /// <param name="since">How far back an equal event counts (the caller's policy, for example a file's last write).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when the event was written.</returns>
    async Task<bool> AppendAuditOnceAsync(AuditEntry entry, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var recent = await ListAuditAsync(new AuditQuery(entry.Function, 100, null), cancellationToken).ConfigureAwait(false);
        if (recent.Any(e => e.At >= since && entry.Repeats(e)))
        {
            return false;
        }

        await AppendAuditAsync(entry, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Audit events, newest first.</summary>
    Task<IReadOnlyList<AuditEvent>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records an applied emergency patch under its idempotency key, with its audit event, in one transaction. A key
    /// already recorded for the function keeps its first patch (the audit event is still written).
    /// </summary>
    /// <param name="patch">The patch and what it produced.</param>
    /// <param name="audit">The audit event.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task RecordPatchAsync(AppliedPatch patch, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>The patch recorded for <paramref name="name"/> under <paramref name="idempotencyKey"/>, or <see langword="null"/>.</summary>
    /// <param name="name">The function name.</param>
    /// <param name="idempotencyKey">The key the caller sent with the patch.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<AppliedPatch?> FindPatchAsync(string name, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Records which revision a node serves (insert or update).</summary>
    Task ReportNodeAsync(string nodeId, long revision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a node's heartbeat (insert or update): the revision it serves, what it serves (see
    /// <see cref="NodeRecord.Serving"/>), and now as <see cref="NodeRecord.UpdatedAt"/>. One statement, outside the
    /// write transaction that changes serialise on, so heartbeats never wait for (or hold up) a change.
    /// </summary>
    /// <param name="nodeId">The node's id.</param>
    /// <param name="revision">The revision it serves.</param>
    /// <param name="serving">What it serves, in <see cref="NodeRecord.Serving"/>'s form.</param>
    /// <param name="instance">
    /// The writing process's own random id (one per process start). Two processes that share a node id see each
    /// other's instance at every beat.
    /// </param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The instance that wrote the row before this beat; null for a new row or one written without one.</returns>
    Task<string?> HeartbeatNodeAsync(string nodeId, long revision, string serving, string instance, CancellationToken cancellationToken = default);

    /// <summary>Deletes the nodes whose last report (<see cref="NodeRecord.UpdatedAt"/>) is before <paramref name="reportedBefore"/>.</summary>
    /// <param name="reportedBefore">The cut-off.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>How many nodes were deleted.</returns>
    Task<int> ForgetNodesAsync(DateTimeOffset reportedBefore, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes one node's row: a node that stops cleanly leaves the node table at once instead of turning gone after
    /// <c>NodeGoneAfter</c>, so nothing counts it or waits for it.
    /// </summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Whether there was a row to delete.</returns>
    Task<bool> ForgetNodeAsync(string nodeId, CancellationToken cancellationToken = default);

    /// <summary>Every node that ever reported (and was not forgotten), with the revision it serves.</summary>
    Task<IReadOnlyList<NodeRecord>> ListNodesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Keeps a compiled image (for example a C# function's assembly) under its key, so that a restart or another
    /// node loads it without compiling. Saving a key that exists already changes nothing. The default does nothing,
    /// for stores that keep no images: the runtime then compiles on every node.
    /// </summary>
    /// <param name="contentHash">The image key the runtime computed (source plus compiler and reference identity).</param>
    /// <param name="runtime">The runtime that made the image, for example <c>csharp</c>.</param>
    /// <param name="image">The image bytes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task SaveArtifactAsync(string contentHash, string runtime, byte[] image, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>
    /// Where this store keeps its data, for packages that keep their own tables in the same database (Needle.Rollback's
    /// release plans and patch runs), or <see langword="null"/> when it is not a database they can use. The default is <see langword="null"/>.
    /// </summary>
    NeedleDatabase? Database => null;

    /// <summary>The image saved under <paramref name="contentHash"/>, or <see langword="null"/>. The default keeps none.</summary>
    Task<byte[]?> GetArtifactAsync(string contentHash, CancellationToken cancellationToken = default) => Task.FromResult<byte[]?>(null);

    /// <summary>
    /// Records one node's health counts for the cluster (Needle.Observability calls it every few seconds, off the request
    /// path): its slices are added (a slice with the same node, function, version and end replaces the earlier one), its
    /// publication time is updated, and every node's slices that ended before <see cref="HealthPublication.PruneBefore"/>
    /// are deleted. It bumps no revision and serialises with no change of releases. The default keeps nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A slice names another node, or ends before it starts.</exception>
    Task PublishHealthAsync(HealthPublication publication, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>
    /// The published health of the nodes that published at or after <paramref name="publishedSince"/> (older ones are
    /// gone or stuck and are not counted): their slices that end after <paramref name="since"/>. The default has none.
    /// </summary>
    Task<PublishedHealth> ReadHealthAsync(DateTimeOffset since, DateTimeOffset publishedSince, CancellationToken cancellationToken = default) =>
        Task.FromResult(PublishedHealth.Empty);
}
