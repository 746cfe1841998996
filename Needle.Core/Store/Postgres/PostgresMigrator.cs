using System.Data;
using Dapper;
using Needle.Store.Sql;
using Npgsql;

namespace Needle.Store.Postgres;

/// <summary>
/// Applies the missing migrations to a PostgreSQL database in version order, each with its row in the version table,
/// in one transaction under an advisory lock keyed by that table (<c>pg_advisory_xact_lock</c>): several nodes booting
/// at once on an empty database queue on the lock, the first migrates, the others then find every migration applied.
/// The lock ends with the transaction, so a node that dies while migrating releases it. Needle's store records its
/// migrations in <c>schema_version</c>; a package with tables of its own in the same database names its own table.
/// </summary>
public sealed class PostgresMigrator
{
    private readonly IReadOnlyList<StoreMigration> _migrations;
    private readonly TimeProvider _timeProvider;
    private const int LockTimeoutSeconds = 300;

    private readonly long _lockKey;
    private readonly MigrationStatements _statements;

    /// <summary>Creates a migrator.</summary>
    /// <param name="migrations">The migrations, in version order (see <see cref="StoreMigration.LoadEmbedded"/>).</param>
    /// <param name="timeProvider">Stamps each applied migration.</param>
    /// <param name="versionTable">The table that records the applied versions. Default: <c>schema_version</c>, Needle's own.</param>
    public PostgresMigrator(IReadOnlyList<StoreMigration> migrations, TimeProvider timeProvider, string versionTable = "schema_version")
    {
        ArgumentNullException.ThrowIfNull(migrations);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _statements = new MigrationStatements(versionTable);
        _migrations = migrations;
        _timeProvider = timeProvider;
        _lockKey = LockKey("needle:" + versionTable);
    }

    /// <summary>Applies every migration not applied yet, in order, on an open connection.</summary>
    /// <param name="connection">An open connection to the database.</param>
    /// <param name="cancellationToken">Cancels between statements; a migration either applies whole or not at all.</param>
    public async Task ApplyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);

        // One transaction and a transaction-level lock: it holds through PgBouncer in transaction mode too (a session
        // lock could be taken and released on different server connections there), and PostgreSQL's DDL is
        // transactional, so a failed or cancelled start leaves the schema as it was.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        // Waiting on another node's migration is not an outage: the lock may take longer than the store's command timeout.
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = _lockKey }, transaction, commandTimeout: LockTimeoutSeconds, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(_statements.CreateVersionTable, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var migration in _migrations)
        {
            var applied = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                _statements.CountApplied, new { migration.Version }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (applied > 0)
            {
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                _statements.RecordApplied,
                new { migration.Version, migration.Name, AppliedAt = StoreTime.Format(_timeProvider.GetUtcNow()) },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    // A stable 64-bit key per version table (FNV-1a), the same in every process and .NET version.
    private static long LockKey(string name)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }
}
