using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Needle.Store.Sql;

namespace Needle.Store.Sqlite;

/// <summary>
/// Applies the missing migrations in version order, each in its own write transaction together with its row in the
/// version table. The check for "already applied" happens inside the write lock, so two processes starting at once
/// apply each migration exactly once and the loser simply finds it done. Needle's store records its migrations in
/// <c>schema_version</c>; a package with tables of its own in the same database names its own table.
/// </summary>
public sealed class SqliteMigrator
{
    private readonly IReadOnlyList<StoreMigration> _migrations;
    private readonly TimeProvider _timeProvider;
    private readonly MigrationStatements _statements;

    /// <summary>Creates a migrator.</summary>
    /// <param name="migrations">The migrations, in version order (see <see cref="StoreMigration.LoadEmbedded"/>).</param>
    /// <param name="timeProvider">Stamps each applied migration.</param>
    /// <param name="versionTable">The table that records the applied versions. Default: <c>schema_version</c>, Needle's own.</param>
    public SqliteMigrator(IReadOnlyList<StoreMigration> migrations, TimeProvider timeProvider, string versionTable = "schema_version")
    {
        ArgumentNullException.ThrowIfNull(migrations);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _statements = new MigrationStatements(versionTable);
        _migrations = migrations;
        _timeProvider = timeProvider;
    }

    /// <summary>Applies every migration not applied yet, in order, on an open connection.</summary>
    /// <param name="connection">An open connection to the database.</param>
    /// <param name="cancellationToken">Cancels between statements; a migration either applies whole or not at all.</param>
    public async Task ApplyAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        foreach (var migration in _migrations)
        {
            using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            await connection.ExecuteAsync(new CommandDefinition(_statements.CreateVersionTable, transaction: transaction, cancellationToken: cancellationToken));

            var applied = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                _statements.CountApplied,
                new { migration.Version },
                transaction,
                cancellationToken: cancellationToken));
            if (applied > 0)
            {
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                _statements.RecordApplied,
                new { migration.Version, migration.Name, AppliedAt = StoreTime.Format(_timeProvider.GetUtcNow()) },
                transaction,
                cancellationToken: cancellationToken));
            transaction.Commit();
        }
    }
}
