using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Needle.Rollback.State.Sql;
using Needle.Store;
using Needle.Store.Sqlite;

namespace Needle.Rollback.State.Sqlite;

/// <summary>
/// Release plans and patch runs in the Needle SQLite database. A change takes SQLite's write lock at once
/// (<c>BEGIN IMMEDIATE</c>), which serialises every writer of the file, in every process.
/// </summary>
internal sealed class SqliteRollbackStateStore(string connectionString, TimeProvider time) : SqlRollbackStateStore
{
    private const string MigrationPrefix = "Needle.Rollback.State.Sqlite.Migrations.";

    private static readonly Lazy<IReadOnlyList<StoreMigration>> Migrations =
        new(() => StoreMigration.LoadEmbedded(typeof(SqliteRollbackStateStore).Assembly, MigrationPrefix));

    protected override async Task<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;", cancellationToken: cancellationToken)).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, string function, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: false));

    protected override Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken) =>
        new SqliteMigrator(Migrations.Value, time, VersionTable).ApplyAsync((SqliteConnection)connection, cancellationToken);
}
