using Dapper;
using Microsoft.Data.Sqlite;
using Needle.Hosting;
using Needle.Rollback.State;
using Needle.Rollback.State.Sqlite;

namespace Needle.Rollback.Tests.State;

/// <summary>The state store contract on a real SQLite file (one per test).</summary>
[TestClass]
public sealed class SqliteRollbackStateStoreTests : RollbackStateStoreContractTests
{
    private TemporaryDirectory _directory = null!;
    private string _connectionString = "";

    internal override IRollbackStateStore NewStore() => new SqliteRollbackStateStore(_connectionString, TimeProvider.System);

    protected override Task CreateEmptyDatabaseAsync()
    {
        _directory = TemporaryDirectory.Create("needle-rollback-state");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _directory.Combine("needle.db") }.ToString();
        return Task.CompletedTask;
    }

    protected override void DeleteEmptyDatabase() => _directory.Dispose();

    protected override void UseNeedleStore(NeedleOptions options) => options.UseSqlite(_connectionString);

    protected override async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection(_connectionString);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.ExecuteAsync(sql);
    }
}
