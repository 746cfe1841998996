using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Needle.Store;

namespace Needle.Rollback.Hosting;

/// <summary>
/// Hangfire.PostgreSql as Needle.Rollback sets it up: its own schema, and the few options that decide how a cluster
/// behaves set on purpose (the rest are Hangfire.PostgreSql's defaults). Needle.Rollback/README.md says why each is set.
/// </summary>
internal static class RollbackPostgresStorage
{
    public static PostgreSqlStorage Create(RollbackOptions options, NeedleDatabase? store)
    {
        var connectionString = options.PostgresConnectionString
            ?? (store is { Provider: NeedleDatabase.Postgres } ? store.ConnectionString : null)
            ?? throw new InvalidOperationException(
                $"Needle.Rollback: UsePostgresStorage() without a connection string keeps jobs in the Needle store's database, but the Needle store is '{store?.Provider ?? "none"}', not PostgreSQL; pass the jobs' connection string: UsePostgresStorage(connectionString).");
        var storageOptions = new PostgreSqlStorageOptions
        {
            // Its own schema: Hangfire's tables never mix with Needle's, nor with a host's own Hangfire ("hangfire").
            SchemaName = options.PostgresSchema,
            PrepareSchemaIfNecessary = true,

            // A worker finds a queued rollback or patch within this (Hangfire.PostgreSql's default is 15 s). A poll, not
            // LISTEN: it works through PgBouncer in transaction mode too.
            QueuePollInterval = options.QueuePollInterval,

            // A crashed node's lock is free for the others after this (default 10 min): the recurring backstop and
            // release plan steps stop for at most this long after a node dies holding their lock.
            DistributedLockTimeout = options.DistributedLockTimeout,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
    }
}
