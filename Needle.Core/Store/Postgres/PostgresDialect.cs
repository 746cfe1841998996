using System.Data;
using System.Data.Common;
using Dapper;
using Needle.Store.Sql;
using Npgsql;

namespace Needle.Store.Postgres;

/// <summary>
/// PostgreSQL under the store, through Npgsql's pooled data source. Reads run in one <c>REPEATABLE READ</c> snapshot;
/// every change starts by locking the revision row (<c>SELECT ... FOR UPDATE</c>), which serialises the writers of every
/// node, and its revision bump sends <c>NOTIFY needle_changes, '&lt;revision&gt;'</c>, which PostgreSQL delivers at commit
/// (and never for a transaction that rolls back).
/// </summary>
internal sealed class PostgresDialect : StoreDialect, IDisposable
{
    /// <summary>The channel every committed change is announced on, with the new revision as its payload.</summary>
    public const string ChangeChannel = "needle_changes";

    private const string MigrationPrefix = "Needle.Store.Postgres.Migrations.";

    private static readonly Lazy<IReadOnlyList<StoreMigration>> Migrations =
        new(() => StoreMigration.LoadEmbedded(typeof(PostgresDialect).Assembly, MigrationPrefix));

    // Starting is not an outage: the first connection may wait as long as Npgsql's default allows, whatever the
    // short connect timeout of the running node's calls.
    private static readonly int StartConnectTimeoutSeconds = new NpgsqlConnectionStringBuilder().Timeout;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _startConnectionString;

    public PostgresDialect(string connectionString)
    {
        Database = new NeedleDatabase(NeedleDatabase.Postgres, connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
        var start = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        start.Timeout = Math.Max(start.Timeout, StartConnectTimeoutSeconds);
        _startConnectionString = start.ConnectionString;
    }

    public override NeedleDatabase Database { get; }

    public override string BumpRevisionSql =>
        $"""
        WITH bumped AS (UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value)
        SELECT value, pg_notify('{ChangeChannel}', value::text) FROM bumped
        """;

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public override async Task<DbConnection> OpenForStartAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_startConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // READ COMMITTED after the lock: each statement then sees every change committed before the lock was granted.
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT value FROM revision WHERE id = 1 FOR UPDATE", transaction: transaction, cancellationToken: cancellationToken));
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    // Health publications touch only their own rows: they must not queue behind (or hold up) a deploy's revision lock.
    public override async Task<DbTransaction> BeginSideWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

    public override async Task InitializeAsync(DbConnection connection, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        await new PostgresMigrator(Migrations.Value, timeProvider).ApplyAsync((NpgsqlConnection)connection, cancellationToken);

    // Connections pooled before the server went away are dead; each would fail one call after it returns.
    public override void OnUnreachable() => _dataSource.Clear();

    public void Dispose() => _dataSource.Dispose();
}
