using Dapper;
using Needle.Hosting;
using Needle.Rollback.State;
using Needle.Rollback.State.Postgres;
using Npgsql;

namespace Needle.Rollback.Tests.State;

/// <summary>
/// The state store contract through PgBouncer in <c>pool_mode = transaction</c>: its per-function advisory locks are
/// transaction-level, so they hold however PgBouncer hands out server sessions. Counts are read straight from PostgreSQL.
/// </summary>
[TestClass]
public sealed class PgBouncerRollbackStateStoreTests : RollbackStateStoreContractTests
{
    private string _direct = "";
    private string _throughPgBouncer = "";

    internal override IRollbackStateStore NewStore() => new PostgresRollbackStateStore(_throughPgBouncer, TimeProvider.System);

    protected override async Task CreateEmptyDatabaseAsync()
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        _direct = await PostgresServer.CreateDatabaseAsync();
        _throughPgBouncer = bouncer.Through(_direct);
    }

    protected override void UseNeedleStore(NeedleOptions options) =>
        options.UsePostgres(_throughPgBouncer, p => p.ListenerConnectionString = _direct);

    protected override async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_direct);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_direct);
        await connection.ExecuteAsync(sql);
    }
}
