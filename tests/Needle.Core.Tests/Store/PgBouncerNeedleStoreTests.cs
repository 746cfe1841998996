using Dapper;
using Needle.Store;
using Needle.Store.Postgres;
using Npgsql;

namespace Needle.Tests.Store;

/// <summary>
/// The whole store contract through PgBouncer in <c>pool_mode = transaction</c>, where a connection's consecutive
/// transactions run on different server sessions: deploys, rollbacks, the revision lock and the migration lock must
/// hold without any session state. Counts are read straight from PostgreSQL.
/// </summary>
[TestClass]
public sealed class PgBouncerNeedleStoreTests : NeedleStoreContractTests
{
    private static readonly long Migrations =
        typeof(PostgresNeedleStore).Assembly.GetManifestResourceNames().Count(n => n.StartsWith("Needle.Store.Postgres.Migrations.", StringComparison.Ordinal));

    private readonly List<IDisposable> _stores = [];
    private string _direct = "";
    private string _throughPgBouncer = "";

    protected override string ExpectedProvider => NeedleDatabase.Postgres;

    protected override long MigrationCount => Migrations;

    [TestMethod]
    public async Task InitializeAsync_FiveNodesAtOnceThroughPgBouncer_MigrateExactlyOnce()
    {
        var stores = Enumerable.Range(0, 5).Select(_ => CreateStore(Time)).ToList();

        await Task.WhenAll(stores.Select(store => Task.Run(() => store.InitializeAsync())));

        Assert.AreEqual(MigrationCount, await CountAsync("SELECT COUNT(*) FROM schema_version"));
        Assert.AreEqual(MigrationCount, await CountAsync("SELECT COUNT(DISTINCT version) FROM schema_version"));
        Assert.AreEqual(0L, await stores[4].GetRevisionAsync());
    }

    [TestMethod]
    public async Task SetReleaseAsync_TenWritersAtOnceThroughPgBouncer_EachGetsItsOwnRevision()
    {
        // The revision row's lock (SELECT ... FOR UPDATE) lives in each change's transaction, so it serialises the
        // writers however PgBouncer hands out server sessions.
        var store = CreateStore(Time);
        await store.InitializeAsync();
        await store.AddVersionAsync(Deploy("hello"));

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            store.SetReleaseAsync(new ReleaseChange("hello", 1, null, 0, "activate", "bob", "writer " + i)))));

        var revisions = results.Select(r => r.Revision).Order().ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(2, 10).Select(i => (long)i).ToArray(), revisions);
        Assert.AreEqual(11L, await store.GetRevisionAsync());
    }

    protected override async Task CreateEmptyDatabaseAsync()
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        _direct = await PostgresServer.CreateDatabaseAsync();
        _throughPgBouncer = bouncer.Through(_direct);
    }

    protected override void DeleteEmptyDatabase() => ReleaseConnections();

    protected override INeedleStore CreateStore(TimeProvider time)
    {
        var store = new PostgresNeedleStore(_throughPgBouncer, time);
        _stores.Add(store);
        return store;
    }

    protected override void ReleaseConnections()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _stores.Clear();
    }

    protected override async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_direct);
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}
