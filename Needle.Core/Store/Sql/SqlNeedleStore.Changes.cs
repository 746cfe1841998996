using System.Data.Common;
using Dapper;
using Needle.Functions;
using Needle.Releases;
using static Needle.Store.Sql.SqlStatements;

namespace Needle.Store.Sql;

/// <summary>
/// The store's changes. Each is one write transaction: it checks what it was told to expect (the next version
/// number, the current release), writes the rows, bumps the revision and appends the audit event it was given.
/// What a change means (which release follows, what the audit says, what is carried over) is the services' policy.
/// </summary>
internal partial class SqlNeedleStore
{
    public Task<int> GetNextVersionNumberAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ReadAsync(
            async (connection, transaction) => NextNumber(await ReadFunctionAsync(connection, transaction, name, cancellationToken)),
            cancellationToken);
    }

    public Task<DeployResult> AddVersionAsync(NewVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(version.Function);
        ArgumentNullException.ThrowIfNull(version.Source);
        ArgumentNullException.ThrowIfNull(version.Manifest);
        ArgumentNullException.ThrowIfNull(version.ContentHash);
        ArgumentException.ThrowIfNullOrWhiteSpace(version.Author);
        var manifestJson = ManifestJson.Serialize(version.Manifest);

        return WriteAsync(
            async (connection, transaction) =>
            {
                var now = StoreTime.Format(timeProvider.GetUtcNow());
                var name = version.Function;
                var function = await ReadFunctionAsync(connection, transaction, name, cancellationToken);
                var number = NextNumber(function);
                if (version.ExpectedNumber is { } expected && expected != number)
                {
                    throw new NeedleConflictException(
                        $"Function '{name}' got version {number - 1} while this deploy prepared version {expected}; nothing was deployed. Retry.");
                }

                var release = version.Activate
                    ? new ReleaseChange(name, number, null, 0, ReleaseActions.Deploy, version.Author, version.Reason, ExpectedReleaseId: version.ExpectedReleaseId, KillSwitch: version.KillSwitch)
                    : version.Canary is { } placement
                        ? new ReleaseChange(name, placement.StableVersion, number, placement.Weight, ReleaseActions.Canary, version.Author, version.Reason, placement.Pins, placement.ExpectedReleaseId, KillSwitch: version.KillSwitch)
                        : null;
                if (release is not null)
                {
                    release.ThrowIfUnstorable();
                    await CheckExpectedReleaseAsync(connection, transaction, release, cancellationToken);
                }

                if (function is null)
                {
                    await connection.ExecuteAsync(Command(
                        "INSERT INTO functions (name, created_at, latest_version) VALUES (@name, @now, 0)", new { name, now }, transaction, cancellationToken));
                }
                else if (function.DeletedAt is not null)
                {
                    await connection.ExecuteAsync(Command(
                        "UPDATE functions SET deleted_at = NULL WHERE name = @name", new { name }, transaction, cancellationToken));
                }

                if (version.ParentNumber is { } parent
                    && await ReadVersionAsync(connection, transaction, name, parent, cancellationToken) is null)
                {
                    throw MissingVersion(name, parent);
                }

                await connection.ExecuteAsync(Command(
                    """
                    INSERT INTO versions (function, number, source, manifest_json, content_hash, author, created_at, parent_number)
                    VALUES (@name, @number, @Source, @manifestJson, @ContentHash, @Author, @now, @ParentNumber);
                    UPDATE functions SET latest_version = @number WHERE name = @name;
                    """,
                    new { name, number, version.Source, manifestJson, version.ContentHash, version.Author, now, version.ParentNumber },
                    transaction,
                    cancellationToken));

                ReleaseRecord? written = null;
                var revision = release is null
                    ? await ReadRevisionAsync(connection, transaction, cancellationToken)
                    : await BumpRevisionAsync(connection, transaction, cancellationToken);
                if (release is not null)
                {
                    written = await InsertReleaseAsync(connection, transaction, release, revision, now, cancellationToken);
                }

                await InsertAuditAsync(
                    connection,
                    transaction,
                    new AuditEntry(version.Author, ReleaseActions.Deploy, name, number, version.Reason, version.AuditDetail),
                    written is not null ? revision : null,
                    now,
                    cancellationToken);
                await InsertMoreAuditAsync(connection, transaction, version.MoreAudit, written is not null ? revision : null, now, cancellationToken);

                var added = new FunctionVersion(
                    name,
                    number,
                    version.Source,
                    ManifestJson.Deserialize(manifestJson),
                    version.ContentHash,
                    version.Author,
                    StoreTime.Parse(now),
                    version.ParentNumber);
                return new DeployResult(added, written, revision);
            },
            cancellationToken);
    }

    public Task<ReleaseRecord> SetReleaseAsync(ReleaseChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        change.ThrowIfUnstorable();
        return WriteAsync(
            async (connection, transaction) =>
            {
                var name = change.Function;
                var function = await ReadFunctionAsync(connection, transaction, name, cancellationToken);
                if (function is null || function.DeletedAt is not null)
                {
                    throw MissingFunction(name);
                }

                foreach (var number in new[] { change.StableVersion, change.CanaryVersion }.OfType<int>())
                {
                    if (await ReadVersionAsync(connection, transaction, name, number, cancellationToken) is null)
                    {
                        throw MissingVersion(name, number);
                    }
                }

                await CheckExpectedReleaseAsync(connection, transaction, change, cancellationToken);
                var now = StoreTime.Format(timeProvider.GetUtcNow());
                var revision = await BumpRevisionAsync(connection, transaction, cancellationToken);
                var release = await InsertReleaseAsync(connection, transaction, change, revision, now, cancellationToken);
                if (change.MarkBad is { } bad)
                {
                    await connection.ExecuteAsync(Command(
                        """
                        INSERT INTO version_marks (function, number, mark, actor, reason, at)
                        VALUES (@name, @bad, 'bad', @Actor, @Reason, @now)
                        ON CONFLICT (function, number, mark) DO UPDATE SET actor = excluded.actor, reason = excluded.reason, at = excluded.at
                        """,
                        new { name, bad, change.Actor, change.Reason, now },
                        transaction,
                        cancellationToken));
                }

                // The version the change is about: the canary when there is one, otherwise the new stable.
                await InsertAuditAsync(
                    connection,
                    transaction,
                    new AuditEntry(change.Actor, change.Action, name, change.CanaryVersion ?? change.StableVersion, change.Reason, change.AuditDetail),
                    revision,
                    now,
                    cancellationToken);
                await InsertMoreAuditAsync(connection, transaction, change.MoreAudit, revision, now, cancellationToken);
                return release;
            },
            cancellationToken);
    }

    private static async Task InsertMoreAuditAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEntry>? entries, long? revision, string now, CancellationToken cancellationToken)
    {
        foreach (var entry in entries ?? [])
        {
            await InsertAuditAsync(connection, transaction, entry, revision, now, cancellationToken);
        }
    }

    public Task<long> DeleteFunctionAsync(string name, string actor, string? reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        return WriteAsync(
            async (connection, transaction) =>
            {
                var function = await ReadFunctionAsync(connection, transaction, name, cancellationToken);
                if (function is null || function.DeletedAt is not null)
                {
                    throw MissingFunction(name);
                }

                var now = StoreTime.Format(timeProvider.GetUtcNow());

                // The floor keeps the old releases in the history but stops them counting as current should the
                // function be deployed again.
                await connection.ExecuteAsync(Command(
                    """
                    UPDATE functions
                    SET deleted_at = @now,
                        release_floor = (SELECT COALESCE(MAX(id), 0) FROM releases WHERE function = @name)
                    WHERE name = @name
                    """,
                    new { name, now },
                    transaction,
                    cancellationToken));
                var revision = await BumpRevisionAsync(connection, transaction, cancellationToken);
                await InsertAuditAsync(
                    connection, transaction, new AuditEntry(actor, ReleaseActions.Delete, name, null, reason, null), revision, now, cancellationToken);
                return revision;
            },
            cancellationToken);
    }

    public Task RecordPatchAsync(AppliedPatch patch, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentException.ThrowIfNullOrWhiteSpace(patch.IdempotencyKey);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentException.ThrowIfNullOrWhiteSpace(audit.Actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(audit.Action);
        return WriteAsync(
            async (connection, transaction) =>
            {
                var now = StoreTime.Format(timeProvider.GetUtcNow());
                await connection.ExecuteAsync(Command(
                    """
                    INSERT INTO patch_keys (function, idempotency_key, kind, base_version, version, revision, created_at)
                    VALUES (@Function, @IdempotencyKey, @Kind, @BaseVersion, @Version, @Revision, @now)
                    ON CONFLICT (function, idempotency_key) DO NOTHING
                    """,
                    new { patch.Function, patch.IdempotencyKey, patch.Kind, patch.BaseVersion, patch.Version, patch.Revision, now },
                    transaction,
                    cancellationToken));
                await InsertAuditAsync(connection, transaction, audit, null, now, cancellationToken);
                return true;
            },
            cancellationToken);
    }

    public Task<AppliedPatch?> FindPatchAsync(string name, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        return ReadAsync(
            async (connection, transaction) =>
            {
                var row = await connection.QuerySingleOrDefaultAsync<(string Function, string Key, string Kind, long BaseVersion, long Version, long Revision)?>(Command(
                    "SELECT function, idempotency_key, kind, base_version, version, revision FROM patch_keys WHERE function = @name AND idempotency_key = @idempotencyKey",
                    new { name, idempotencyKey },
                    transaction,
                    cancellationToken));
                return row is { } r ? new AppliedPatch(r.Function, r.Key, r.Kind, checked((int)r.BaseVersion), checked((int)r.Version), r.Revision) : null;
            },
            cancellationToken);
    }

    // One more than the highest number the function ever had, deleted or not: numbers are never reused.
    private static int NextNumber(FunctionRow? function) => checked((int)((function?.LatestVersion ?? 0) + 1));

    private static async Task CheckExpectedReleaseAsync(DbConnection connection, DbTransaction transaction, ReleaseChange change, CancellationToken cancellationToken)
    {
        if (change.ExpectedReleaseId is not { } expected)
        {
            return;
        }

        var name = change.Function;
        var current = await connection.ExecuteScalarAsync<long?>(Command(
            "SELECT id FROM current_releases WHERE function = @name", new { name }, transaction, cancellationToken));
        if (current != expected)
        {
            throw new NeedleConflictException(
                $"The release of '{name}' changed while this change was prepared (expected release {expected}, found {current?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}); nothing was changed. Read it again and retry.");
        }
    }
}
