using Needle.Hosting;
using Npgsql;

namespace Needle.Cluster.Tests;

/// <summary>Three nodes started at the same moment on an empty database: the schema is migrated once, and all serve.</summary>
[TestClass]
public sealed class ClusterMigrationTests
{
    [TestMethod]
    public async Task NodesStartingTogether_OnAnEmptyDatabase_MigrateTheSchemaOnce()
    {
        // Arrange
        var database = await PostgresServer.CreateDatabaseAsync();
        var migrations = typeof(NeedleOptions).Assembly.GetManifestResourceNames()
            .Count(n => n.StartsWith("Needle.Store.Postgres.Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal));

        // Act: TestCluster starts its nodes together.
        await using var cluster = await TestCluster.StartAsync(3, connectionString: database);

        // Assert
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) || '/' || count(DISTINCT version) FROM schema_version", connection);
            Assert.AreEqual($"{migrations}/{migrations}", await count.ExecuteScalarAsync(), "rows / distinct versions in schema_version");
        }

        foreach (var node in cluster.Nodes)
        {
            Assert.AreEqual(200, (await node.GetAsync(NeedleHttp.ApiPath + "/functions")).Status, $"{node.Id} is up on the migrated store");
        }

        await cluster[2].Client.DeployAsync("hello", "export default async () => 'v1';");
        await cluster.WaitForAllAsync("/fn/hello", "hello@1", TestCluster.ConvergeTimeout);
    }
}
