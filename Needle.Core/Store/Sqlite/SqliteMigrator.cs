using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Needle.Store.Sqlite;

/// <summary>
/// Applies the missing migrations in version order, each in its own write transaction together with its
/// <c>schema_version</c> row. The check for "already applied" happens inside the write lock, so two processes
/// starting at once apply each migration exactly once and the loser simply finds it done.
/// </summary>
internal sealed class SqliteMigrator(IReadOnlyList<StoreMigration> migrations, TimeProvider timeProvider)
{
    private const string CreateSchemaVersion = """
        CREATE TABLE IF NOT EXISTS schema_version (
          version INTEGER NOT NULL PRIMARY KEY,
          name TEXT NOT NULL,
          applied_at TEXT NOT NULL
        )
        """;

    public async Task ApplyAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        foreach (var migration in migrations)
        {
            using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            await connection.ExecuteAsync(new CommandDefinition(CreateSchemaVersion, transaction: transaction, cancellationToken: cancellationToken));

            var applied = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM schema_version WHERE version = @Version",
                new { migration.Version },
                transaction,
                cancellationToken: cancellationToken));
            if (applied > 0)
            {
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)",
                new { migration.Version, migration.Name, AppliedAt = SqliteTime.Format(timeProvider.GetUtcNow()) },
                transaction,
                cancellationToken: cancellationToken));
            transaction.Commit();
        }
    }
}
