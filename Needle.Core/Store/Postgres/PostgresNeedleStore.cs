using Needle.Store.Sql;
using Npgsql;

namespace Needle.Store.Postgres;

/// <summary>
/// The PostgreSQL <see cref="INeedleStore"/>, shared by every node of a cluster: the shared store over
/// <see cref="PostgresDialect"/>.
/// </summary>
internal sealed class PostgresNeedleStore : SqlNeedleStore, IDisposable
{
    private readonly PostgresDialect _dialect;

    public PostgresNeedleStore(string connectionString, TimeProvider timeProvider, StoreAvailability? availability = null)
        : this(new PostgresDialect(connectionString), timeProvider, availability)
    {
    }

    private PostgresNeedleStore(PostgresDialect dialect, TimeProvider timeProvider, StoreAvailability? availability)
        : base(dialect, timeProvider, availability) => _dialect = dialect;

    /// <summary>
    /// Creates or upgrades the schema; a database that cannot be reached fails the start with a message naming the
    /// server and database (never the password).
    /// </summary>
    public override async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await base.InitializeAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            var builder = new NpgsqlConnectionStringBuilder(Database.ConnectionString);
            throw new InvalidOperationException(
                $"Needle could not initialise its PostgreSQL store (host '{builder.Host}', port {builder.Port}, database '{builder.Database ?? builder.Username}'): {ex.Message}",
                ex);
        }
    }

    public void Dispose() => _dialect.Dispose();
}
