using Dapper;
using Needle.Store;
using Needle.Store.Postgres;
using Npgsql;

namespace Needle.Tests.Store;

/// <summary>The store contract on a real PostgreSQL database (one per test), and what only PostgreSQL does.</summary>
[TestClass]
public sealed class PostgresNeedleStoreTests : NeedleStoreContractTests
{
    private static readonly long Migrations =
        typeof(PostgresNeedleStore).Assembly.GetManifestResourceNames().Count(n => n.StartsWith("Needle.Store.Postgres.Migrations.", StringComparison.Ordinal));

    private readonly List<IDisposable> _stores = [];
    private string _connectionString = "";

    protected override string ExpectedProvider => NeedleDatabase.Postgres;

    protected override long MigrationCount => Migrations;

    [TestMethod]
    public async Task InitializeAsync_FiveNodesAtOnceOnAnEmptyDatabase_MigrateExactlyOnce()
    {
        var stores = Enumerable.Range(0, 5).Select(_ => CreateStore(Time)).ToList();

        await Task.WhenAll(stores.Select(store => Task.Run(() => store.InitializeAsync())));

        Assert.AreEqual(MigrationCount, await CountAsync("SELECT COUNT(*) FROM schema_version"));
        Assert.AreEqual(MigrationCount, await CountAsync("SELECT COUNT(DISTINCT version) FROM schema_version"));
        Assert.AreEqual(1L, await CountAsync("SELECT COUNT(*) FROM revision"));
        Assert.AreEqual(0L, await stores[4].GetRevisionAsync());
    }

    [TestMethod]
    public async Task AddVersionAsync_Activated_NotifiesTheNewRevisionAtCommit()
    {
        var store = await CreateInitializedStoreAsync();
        await using var listener = new NpgsqlConnection(_connectionString);
        await listener.OpenAsync();
        var received = new List<string>();
        listener.Notification += (_, e) => received.Add(e.Channel + ":" + e.Payload);
        await listener.ExecuteAsync("LISTEN needle_changes");

        var deployed = await store.AddVersionAsync(Deploy("hello"));
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await listener.WaitAsync(wait.Token);

        CollectionAssert.AreEqual(new[] { "needle_changes:" + deployed.Revision }, received);
    }

    [TestMethod]
    public async Task SetReleaseAsync_RolledBack_NotifiesNothing()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        await using var listener = new NpgsqlConnection(_connectionString);
        await listener.OpenAsync();
        var received = new List<string>();
        listener.Notification += (_, e) => received.Add(e.Payload);
        await listener.ExecuteAsync("LISTEN needle_changes");

        // Version 9 does not exist: the change fails inside its transaction, after nothing was bumped.
        await Assert.ThrowsExactlyAsync<NeedleNotFoundException>(() => store.SetReleaseAsync(new ReleaseChange("hello", 9, null, 0, "activate", "bob", null)));
        var later = await store.SetReleaseAsync(new ReleaseChange("hello", 1, null, 0, "activate", "bob", null));
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await listener.WaitAsync(wait.Token);

        CollectionAssert.AreEqual(new[] { later.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture) }, received);
    }

    [TestMethod]
    public async Task InitializeAsync_ServerUnreachable_FailsNamingHostAndDatabase()
    {
        var port = FreePort.Next();
        var store = new PostgresNeedleStore($"Host=127.0.0.1;Port={port};Database=nowhere;Username=u;Password=secret-pw;Timeout=5", Time);
        _stores.Add(store);

        var error = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => store.InitializeAsync());

        StringAssert.Contains(error.Message, "127.0.0.1");
        StringAssert.Contains(error.Message, "'nowhere'");
        Assert.DoesNotContain("secret-pw", error.Message);
    }

    protected override async Task CreateEmptyDatabaseAsync() => _connectionString = await PostgresServer.CreateDatabaseAsync();

    protected override void DeleteEmptyDatabase() => ReleaseConnections();

    protected override INeedleStore CreateStore(TimeProvider time)
    {
        var store = new PostgresNeedleStore(_connectionString, time);
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
        await using var connection = new NpgsqlConnection(_connectionString);
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}
