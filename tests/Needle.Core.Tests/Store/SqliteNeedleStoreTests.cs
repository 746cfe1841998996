using Dapper;
using Microsoft.Data.Sqlite;
using Needle.Store;
using Needle.Store.Sqlite;

namespace Needle.Tests.Store;

/// <summary>The store contract on a real SQLite file, and what only SQLite does (WAL, upgrades of old files).</summary>
[TestClass]
public sealed class SqliteNeedleStoreTests : NeedleStoreContractTests
{
    private static readonly long Migrations =
        typeof(SqliteNeedleStore).Assembly.GetManifestResourceNames().Count(n => n.StartsWith("Needle.Store.Sqlite.Migrations.", StringComparison.Ordinal));

    private TemporaryDirectory _directory = null!;
    private string _connectionString = "";

    protected override string ExpectedProvider => NeedleDatabase.Sqlite;

    protected override long MigrationCount => Migrations;

    protected override Task CreateEmptyDatabaseAsync()
    {
        _directory = TemporaryDirectory.Create("needle-store");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _directory.Combine("needle.db") }.ToString();
        return Task.CompletedTask;
    }

    // Pooled connections keep the file open: TemporaryDirectory lets go of them first.
    protected override void DeleteEmptyDatabase() => _directory.Dispose();

    protected override INeedleStore CreateStore(TimeProvider time) => new SqliteNeedleStore(_connectionString, time);

    protected override void ReleaseConnections() => SqliteConnection.ClearAllPools();

    protected override async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection(_connectionString);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    [TestMethod]
    public async Task InitializeAsync_NewFile_UsesWriteAheadLog()
    {
        await CreateInitializedStoreAsync();

        await using var connection = new SqliteConnection(_connectionString);
        var mode = await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode");

        Assert.AreEqual("wal", mode);
    }

    [TestMethod]
    public async Task InitializeAsync_PatchKeyOnlyInOldAuditText_IsFoundByKeyAfterTheUpgrade()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));

        // A database from before migration 0006: the key and the result were only written into the audit detail.
        await using (var connection = new SqliteConnection(_connectionString))
        {
            await connection.ExecuteAsync(
                """
                DROP TABLE patch_keys;
                DELETE FROM schema_version WHERE version = 6;
                INSERT INTO audit (at, actor, action, function, version, revision, reason, detail)
                VALUES ('2025-01-01T00:00:00.0000000Z', 'alice', 'patch', 'hello', 4, NULL, 'old', 'kind=diff base=3 version=4 revision=12 key=old-key');
                """);
        }

        await CreateStore(Time).InitializeAsync();

        Assert.AreEqual(new AppliedPatch("hello", "old-key", "diff", 3, 4, 12), await store.FindPatchAsync("hello", "old-key"));
    }

    [TestMethod]
    public void SqliteMigrator_VersionTableNotAPlainName_IsRefused()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new SqliteMigrator([], Time, "x; DROP TABLE functions"));
    }
}
