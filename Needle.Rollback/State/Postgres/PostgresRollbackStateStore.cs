using System.Data;
using System.Data.Common;
using Dapper;
using Needle.Rollback.State.Sql;
using Needle.Store;
using Needle.Store.Postgres;
using Npgsql;

namespace Needle.Rollback.State.Postgres;

/// <summary>
/// Release plans and patch runs in the Needle PostgreSQL database, shared by every node of a cluster. A change of one
/// function's rows runs under a transaction-level advisory lock keyed by the function (<c>pg_advisory_xact_lock</c>), so
/// two nodes starting a plan, or recording a patch, for the same function at once are serialised and the second sees
/// the first's row; the lock ends with the transaction, so a node that dies releases it. Migrations apply under
/// Core's <see cref="PostgresMigrator"/> (its own advisory lock, its own version table).
/// </summary>
internal sealed class PostgresRollbackStateStore : SqlRollbackStateStore, IDisposable
{
    private const string MigrationPrefix = "Needle.Rollback.State.Postgres.Migrations.";

    private static readonly Lazy<IReadOnlyList<StoreMigration>> Migrations =
        new(() => StoreMigration.LoadEmbedded(typeof(PostgresRollbackStateStore).Assembly, MigrationPrefix));

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;

    public PostgresRollbackStateStore(string connectionString, TimeProvider time)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _time = time;
    }

    public void Dispose() => _dataSource.Dispose();

    protected override async Task<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw Described(ex, "reach");
        }
    }

    protected override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, string function, CancellationToken cancellationToken)
    {
        // READ COMMITTED after the lock: each statement then sees every change committed before the lock was granted.
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))",
                new { key = "needle-rollback:" + function },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override async Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await new PostgresMigrator(Migrations.Value, _time, VersionTable).ApplyAsync((NpgsqlConnection)connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw Described(ex, "migrate");
        }
    }

    // Names the server and database, never the connection string: it may hold a password.
    private InvalidOperationException Described(Exception ex, string what)
    {
        var builder = new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString);
        return new InvalidOperationException(
            $"Needle.Rollback could not {what} its PostgreSQL state (host '{builder.Host}', port {builder.Port}, database '{builder.Database ?? builder.Username}'): {ex.Message}", ex);
    }
}
