using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Needle.Hosting;
using Needle.Rollback.Plans;
using Needle.Rollback.State.Sqlite;

namespace Needle.Rollback.Tests.State;

[TestClass]
public sealed class SqliteRollbackStateStoreTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private TemporaryDirectory _directory = null!;
    private string _connectionString = "";

    [TestInitialize]
    public void CreateDirectory()
    {
        _directory = TemporaryDirectory.Create("needle-rollback-state");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _directory.Combine("needle.db") }.ToString();
    }

    [TestCleanup]
    public void DeleteDirectory() => _directory.Dispose();

    [TestMethod]
    public async Task InsertPlanAsync_EmptyDatabase_CreatesItsOwnTablesAndReadsThePlanBack()
    {
        var store = new SqliteRollbackStateStore(_connectionString, TimeProvider.System);

        await store.InsertPlanAsync(Plan("plan-1"), CancellationToken.None);
        var read = await store.GetPlanAsync("plan-1", CancellationToken.None);

        Assert.IsNotNull(read);
        Assert.AreEqual("shop", read.Function);
        CollectionAssert.AreEqual(new[] { 5d, 50d }, read.Steps.ToArray());
        Assert.AreEqual(1L, await ScalarAsync("SELECT COUNT(*) FROM rollback_schema_version"));
    }

    [TestMethod]
    public async Task InitializeAsync_DatabaseWhereNeedleCoreMadeTheTables_KeepsTheirRowsAndAppliesOnce()
    {
        // Databases from before Needle.Rollback had migrations: Needle.Core's migration 0005 made the tables.
        // Core's SQLite store, as UseSqlite makes it for a host.
        using var services = new ServiceCollection().BuildServiceProvider();
        var core = new NeedleOptions().UseSqlite(_connectionString).StoreFactory!(services);
        await core.InitializeAsync();
        var before = new SqliteRollbackStateStore(_connectionString, TimeProvider.System);
        await before.InsertPlanAsync(Plan("plan-old"), CancellationToken.None);
        await ExecuteAsync("DROP TABLE rollback_schema_version");

        var store = new SqliteRollbackStateStore(_connectionString, TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        await new SqliteRollbackStateStore(_connectionString, TimeProvider.System).InitializeAsync(CancellationToken.None);

        Assert.AreEqual("plan-old", (await store.ListRunningPlansAsync(CancellationToken.None)).Single().Id);
        Assert.AreEqual(1L, await ScalarAsync("SELECT COUNT(*) FROM rollback_schema_version"));
    }

    [TestMethod]
    public async Task InitializeAsync_ManyStoresAtOnce_AppliesEachMigrationOnce()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => new SqliteRollbackStateStore(_connectionString, TimeProvider.System)).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync(CancellationToken.None))));

        Assert.AreEqual(1L, await ScalarAsync("SELECT COUNT(*) FROM rollback_schema_version"));
        Assert.AreEqual(0L, await ScalarAsync("SELECT COUNT(*) FROM release_plans"));
    }

    private static ReleasePlan Plan(string id) =>
        new(id, "shop", 2, [5, 50], TimeSpan.FromMinutes(1), 0, ReleasePlan.Running, Start, "alice", "gradual", null, Start, Start);

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection(_connectionString);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.ExecuteAsync(sql);
    }
}
