using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Needle.Store.Sql;

namespace Needle.Store.Sqlite;

/// <summary>
/// SQLite under the store: WAL so readers never wait for the writer, and <c>BEGIN IMMEDIATE</c> for every change: it
/// takes the write lock before its first read, so two writers (threads or processes) serialise instead of both reading
/// the same latest version and one failing to upgrade its lock.
/// </summary>
internal sealed class SqliteDialect(string connectionString) : StoreDialect
{
    // busy_timeout, foreign_keys and synchronous are per connection, so they are set on every open. In WAL mode
    // synchronous=NORMAL still never corrupts and never leaves half a transaction; it skips the fsync per commit,
    // so a power cut (not a process crash) may lose the last changes. Control-plane latency is worth that.
    private const string ConnectionPragmas = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

    private const string MigrationPrefix = "Needle.Store.Sqlite.Migrations.";

    private static readonly Lazy<IReadOnlyList<StoreMigration>> Migrations =
        new(() => StoreMigration.LoadEmbedded(typeof(SqliteDialect).Assembly, MigrationPrefix));

    public override NeedleDatabase Database { get; } = new(NeedleDatabase.Sqlite, connectionString);

    public override string BumpRevisionSql => "UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(ConnectionPragmas, cancellationToken: cancellationToken));
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // Deferred: a plain read snapshot that never blocks the writer (WAL).
    public override Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: true));

    // Immediate: takes the write lock now (waiting up to busy_timeout), so the reads inside see the latest state.
    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: false));

    public override async Task InitializeAsync(DbConnection connection, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        // WAL is a property of the database file, so setting it once here is enough for every later connection.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL;", cancellationToken: cancellationToken));
        await new SqliteMigrator(Migrations.Value, timeProvider).ApplyAsync((SqliteConnection)connection, cancellationToken);
    }
}
