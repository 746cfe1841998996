using Dapper;
using Needle.Hosting;
using Needle.Rollback.State;
using Needle.Rollback.State.Postgres;
using Npgsql;

namespace Needle.Rollback.Tests.State;

/// <summary>The state store contract on a real PostgreSQL database (one per test), and what only PostgreSQL does.</summary>
[TestClass]
public sealed class PostgresRollbackStateStoreTests : RollbackStateStoreContractTests
{
    private string _connectionString = "";

    [TestMethod]
    public async Task InitializeAsync_ServerUnreachable_FailsNamingHostAndDatabaseButNotThePassword()
    {
        var store = new PostgresRollbackStateStore($"Host=127.0.0.1;Port={FreePort.Next()};Database=nowhere;Username=u;Password=secret-pw;Timeout=5", TimeProvider.System);
        using var _ = store;

        var error = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => store.InitializeAsync(CancellationToken.None));

        StringAssert.Contains(error.Message, "127.0.0.1");
        StringAssert.Contains(error.Message, "'nowhere'");
        Assert.DoesNotContain("secret-pw", error.Message);
    }

    [TestMethod]
    public async Task InitializeAsync_EmptyDatabase_RecordsItsMigrationInItsOwnTableOnly()
    {
        using var store = new PostgresRollbackStateStore(_connectionString, TimeProvider.System);

        await store.InitializeAsync(CancellationToken.None);

        Assert.AreEqual(1L, await CountAsync("SELECT COUNT(*) FROM rollback_schema_version WHERE version = 1 AND name = 'plans_and_patch_runs'"));
        Assert.AreEqual(0L, await CountAsync("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_version'"));
    }

    internal override IRollbackStateStore NewStore() => new PostgresRollbackStateStore(_connectionString, TimeProvider.System);

    protected override async Task CreateEmptyDatabaseAsync() => _connectionString = await PostgresServer.CreateDatabaseAsync();

    protected override void UseNeedleStore(NeedleOptions options) => options.UsePostgres(_connectionString);

    protected override async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.ExecuteAsync(sql);
    }
}
