using System.Data.Common;
using Dapper;
using Needle.Functions;
using static Needle.Store.Sql.SqlStatements;

namespace Needle.Store.Sql;

/// <summary>
/// The <see cref="INeedleStore"/> over any database: Dapper over <see cref="DbConnection"/>, one pooled connection per
/// operation, the same statements for every database. What differs (opening a connection, how a write transaction
/// serialises writers, the revision bump, migrations) is the <see cref="StoreDialect"/>'s. Every change runs in one
/// write transaction that serialises writers before its first read, so two writers (threads, processes or nodes)
/// never both read the same latest version. With a <see cref="StoreAvailability"/>, a database that cannot be reached
/// makes every call fail with <see cref="NeedleStoreUnavailableException"/>, at once while it stays unreachable.
/// </summary>
internal partial class SqlNeedleStore(StoreDialect dialect, TimeProvider timeProvider, StoreAvailability? availability = null) : INeedleStore
{
    private const int MaxLimit = 1000;

    /// <summary>The database, so Needle.Rollback keeps its plan and patch rows beside Needle's.</summary>
    public NeedleDatabase Database => dialect.Database;

    public virtual async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenForStartAsync(cancellationToken);
        await dialect.InitializeAsync(connection, timeProvider, cancellationToken);
    }

    public Task<long> GetRevisionAsync(CancellationToken cancellationToken = default) =>
        ReadAsync((connection, transaction) => ReadRevisionAsync(connection, transaction, cancellationToken), cancellationToken);

    public Task<ReleaseState> GetReleaseStateAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(
            async (connection, transaction) =>
            {
                // One read transaction: the revision and the rows come from the same snapshot.
                var revision = await ReadRevisionAsync(connection, transaction, cancellationToken);
                var releases = await connection.QueryAsync<ReleaseRow>(Command(
                    $"SELECT {ReleaseRow.Columns} FROM current_releases ORDER BY function", null, transaction, cancellationToken));
                var versions = (await connection.QueryAsync<VersionRow>(Command(
                    $"""
                    SELECT {VersionRow.Columns} FROM versions v
                    WHERE EXISTS (
                      SELECT 1 FROM current_releases c
                      WHERE c.function = v.function AND (c.stable_version = v.number OR c.canary_version = v.number))
                    """,
                    null,
                    transaction,
                    cancellationToken)))
                    .ToDictionary(row => (row.Function, row.Number), row => row.ToVersion());

                var functions = releases
                    .Select(row => new ReleasedFunction(
                        row.ToRecord(),
                        versions[(row.Function, row.StableVersion)],
                        row.CanaryVersion is { } canary ? versions[(row.Function, canary)] : null))
                    .ToList();
                return new ReleaseState(revision, functions);
            },
            cancellationToken);

    public Task<IReadOnlyList<FunctionRecord>> ListFunctionsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<FunctionRecord>>(
            async (connection, transaction) =>
            {
                var functions = await connection.QueryAsync<FunctionRow>(Command(
                    $"SELECT {FunctionRow.Columns} FROM functions WHERE deleted_at IS NULL ORDER BY name", null, transaction, cancellationToken));
                var releases = (await connection.QueryAsync<ReleaseRow>(Command(
                    $"SELECT {ReleaseRow.Columns} FROM current_releases", null, transaction, cancellationToken)))
                    .ToDictionary(row => row.Function, row => row.ToRecord(), StringComparer.Ordinal);
                return functions.Select(row => row.ToRecord(releases.GetValueOrDefault(row.Name))).ToList();
            },
            cancellationToken);

    public Task<FunctionRecord?> GetFunctionAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ReadAsync(
            async (connection, transaction) =>
            {
                var function = await ReadFunctionAsync(connection, transaction, name, cancellationToken);
                if (function is null || function.DeletedAt is not null)
                {
                    return null;
                }

                var release = await connection.QuerySingleOrDefaultAsync<ReleaseRow>(Command(
                    $"SELECT {ReleaseRow.Columns} FROM current_releases WHERE function = @name", new { name }, transaction, cancellationToken));
                return function.ToRecord(release?.ToRecord());
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<FunctionVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ReadAsync<IReadOnlyList<FunctionVersion>>(
            async (connection, transaction) =>
            {
                var rows = await connection.QueryAsync<VersionRow>(Command(
                    $"SELECT {VersionRow.Columns} FROM versions WHERE function = @name ORDER BY number DESC", new { name }, transaction, cancellationToken));
                return rows.Select(row => row.ToVersion()).ToList();
            },
            cancellationToken);
    }

    public Task<FunctionVersion?> GetVersionAsync(string name, int number, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ReadAsync(
            async (connection, transaction) =>
                (await ReadVersionAsync(connection, transaction, name, number, cancellationToken))?.ToVersion(),
            cancellationToken);
    }

    public Task<IReadOnlyList<VersionMark>> ListBadVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ReadAsync<IReadOnlyList<VersionMark>>(
            async (connection, transaction) =>
            {
                var rows = await connection.QueryAsync<(string Function, long Number, string Mark, string Actor, string? Reason, string At)>(Command(
                    "SELECT function, number, mark, actor, reason, at FROM version_marks WHERE function = @name AND mark = 'bad' ORDER BY number",
                    new { name },
                    transaction,
                    cancellationToken));
                return rows.Select(r => new VersionMark(r.Function, checked((int)r.Number), r.Mark, r.Actor, r.Reason, StoreTime.Parse(r.At))).ToList();
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<ReleaseRecord>> ListReleasesAsync(string name, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ReadAsync<IReadOnlyList<ReleaseRecord>>(
            async (connection, transaction) =>
            {
                var rows = await connection.QueryAsync<ReleaseRow>(Command(
                    $"SELECT {ReleaseRow.Columns} FROM releases WHERE function = @name ORDER BY id DESC LIMIT @limit",
                    new { name, limit = Math.Clamp(limit, 1, MaxLimit) },
                    transaction,
                    cancellationToken));
                return rows.Select(row => row.ToRecord()).ToList();
            },
            cancellationToken);
    }

    public Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Action);
        return WriteAsync(
            async (connection, transaction) =>
            {
                await InsertAuditAsync(
                    connection, transaction, entry, null, StoreTime.Format(timeProvider.GetUtcNow()), cancellationToken);
                return true;
            },
            cancellationToken);
    }

    public Task<bool> AppendAuditOnceAsync(AuditEntry entry, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Action);
        return WriteAsync(
            async (connection, transaction) =>
            {
                // Under the write lock (PostgreSQL: the revision row), so an equal event another node is writing now
                // is either committed and seen here, or waits for this one.
                var recent = await connection.QueryAsync<AuditRow>(Command(
                    $"""
                    SELECT {AuditRow.Columns} FROM audit
                    WHERE ((@Function IS NULL AND function IS NULL) OR function = @Function) AND action = @Action AND at >= @since
                    """,
                    new { entry.Function, entry.Action, since = StoreTime.Format(since) },
                    transaction,
                    cancellationToken));
                if (recent.Any(row => entry.Repeats(row.ToEvent())))
                {
                    return false;
                }

                await InsertAuditAsync(connection, transaction, entry, null, StoreTime.Format(timeProvider.GetUtcNow()), cancellationToken);
                return true;
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<AuditEvent>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadAsync<IReadOnlyList<AuditEvent>>(
            async (connection, transaction) =>
            {
                var rows = await connection.QueryAsync<AuditRow>(Command(
                    $"""
                    SELECT {AuditRow.Columns} FROM audit
                    WHERE (@Function IS NULL OR function = @Function)
                      AND (@BeforeId IS NULL OR id < @BeforeId)
                      AND (@Action IS NULL OR action = @Action)
                    ORDER BY id DESC
                    LIMIT @limit
                    """,
                    new { query.Function, query.BeforeId, query.Action, limit = Math.Clamp(query.Limit, 1, MaxLimit) },
                    transaction,
                    cancellationToken));
                return rows.Select(row => row.ToEvent()).ToList();
            },
            cancellationToken);
    }

    public Task SaveArtifactAsync(string contentHash, string runtime, byte[] image, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentHash);
        ArgumentException.ThrowIfNullOrWhiteSpace(runtime);
        ArgumentNullException.ThrowIfNull(image);
        return WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(Command(
                """
                INSERT INTO artifacts (content_hash, runtime, image, created_at) VALUES (@contentHash, @runtime, @image, @now)
                ON CONFLICT (content_hash) DO NOTHING
                """,
                new { contentHash, runtime, image, now = StoreTime.Format(timeProvider.GetUtcNow()) },
                transaction,
                cancellationToken)),
            cancellationToken);
    }

    public Task<byte[]?> GetArtifactAsync(string contentHash, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentHash);
        return ReadAsync(
            (connection, transaction) => connection.QuerySingleOrDefaultAsync<byte[]?>(Command(
                "SELECT image FROM artifacts WHERE content_hash = @contentHash", new { contentHash }, transaction, cancellationToken)),
            cancellationToken);
    }

    private Task<T> ReadAsync<T>(Func<DbConnection, DbTransaction, Task<T>> read, CancellationToken cancellationToken) =>
        RunAsync(read, write: false, cancellationToken);

    private Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> write, CancellationToken cancellationToken) =>
        RunAsync(write, write: true, cancellationToken);

    private async Task<T> RunAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, bool write, CancellationToken cancellationToken)
    {
        availability?.ThrowIfUnavailable();
        try
        {
            await using var connection = await dialect.OpenAsync(cancellationToken);
            await using var transaction = write
                ? await dialect.BeginWriteAsync(connection, cancellationToken)
                : await dialect.BeginReadAsync(connection, cancellationToken);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            availability?.ReportSuccess();
            return result;
        }
        catch (Exception ex) when (availability is not null && ex is not NeedleStoreUnavailableException && StoreOutage.IsOutage(ex)
            && !cancellationToken.IsCancellationRequested)
        {
            // A write that failed here was never committed (or committed before the connection broke: the caller's
            // retry then meets a conflict or the same state, never half of it).
            dialect.OnUnreachable();
            throw availability.ReportFailure(ex);
        }
    }

    private Task<long> BumpRevisionAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(Command(dialect.BumpRevisionSql, null, transaction, cancellationToken));
}
