using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Hangfire.PostgreSql;
using Needle.Rollback.Hosting;
using Needle.Rollback.Tests.Infrastructure;
using Npgsql;

namespace Needle.Rollback.Tests.Hosting;

/// <summary>
/// Needle.Rollback with the Needle store, its state and Hangfire.PostgreSql all going through PgBouncer in
/// <c>pool_mode = transaction</c> (the listener direct, as the docs say): jobs queue, run and schedule, and plans are
/// kept, with no session state to lose between transactions. Counts are read straight from PostgreSQL.
/// </summary>
[TestClass]
public sealed class PgBouncerJobStorageTests
{
    [TestMethod]
    public async Task Rollback_JobsThroughPgBouncerInTransactionMode_RunsFromThePostgresQueue()
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var host = await RollbackTestHost.StartAsync(
            postgres: bouncer.Through(database), jobsInMemory: false, postgresOptions: p => p.ListenerConnectionString = database, configure: o => o.UsePostgresStorage());
        await host.DeployOrdersAsync();
        await host.DeployOrdersAsync("export default () => ({ v: 2 });\n");

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/rollback?async=true", new { reason = "bad deploy" });
        await Eventually.WaitAsync(
            async () => (await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders"))!.Any(e => e!["action"]!.GetValue<string>() == "rollback-served"),
            "the rollback job to run from the PostgreSQL queue through PgBouncer",
            TimeSpan.FromSeconds(30));

        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode);
        Assert.IsInstanceOfType<PostgreSqlStorage>(host.Get<RollbackJobs>().Storage);
        await Eventually.WaitAsync(
            async () => await CountAsync(database, "SELECT COUNT(*) FROM needle_jobs.job WHERE statename = 'Succeeded' AND invocationdata::text LIKE '%RollbackJob%'") == 1,
            "one succeeded rollback job in needle_jobs.job");
        Assert.AreEqual(1L, await CountAsync(database, "SELECT COUNT(*) FROM needle_jobs.hash WHERE key = 'recurring-job:needle-guard' AND field = 'Cron'"));
    }

    [TestMethod]
    public async Task StartPlan_ThroughPgBouncerInTransactionMode_KeepsThePlanAndSchedulesItsStep()
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var host = await RollbackTestHost.StartAsync(
            postgres: bouncer.Through(database), jobsInMemory: false, health: new FixedHealthSource(), postgresOptions: p => p.ListenerConnectionString = database);
        await host.DeployOrdersAsync();
        await host.DeployInactiveAsync("export default () => ({ v: 2 });\n");

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/plans", new { version = 2, steps = new[] { 10, 100 }, stepWaitSeconds = 60 });

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual(1L, await CountAsync(database, "SELECT COUNT(*) FROM release_plans WHERE function = 'orders' AND status = 'running'"));
        Assert.AreEqual(1L, await CountAsync(database, "SELECT COUNT(*) FROM needle_jobs.job WHERE statename = 'Scheduled' AND invocationdata::text LIKE '%ReleasePlanJob%'"));
    }

    [TestMethod]
    public async Task AddRollback_ThreeHostsAtOnceThroughPgBouncer_MigrateTheStoreStateAndJobsOnce()
    {
        var bouncer = await PgBouncerServer.SharedAsync();
        var database = await PostgresServer.CreateDatabaseAsync();

        var hosts = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => RollbackTestHost.StartAsync(
            postgres: bouncer.Through(database), jobsInMemory: false, nodeId: "node-" + i, postgresOptions: p => p.ListenerConnectionString = database)));
        try
        {
            Assert.AreEqual(await CountAsync(database, "SELECT COUNT(DISTINCT version) FROM schema_version"), await CountAsync(database, "SELECT COUNT(*) FROM schema_version"));
            Assert.AreEqual(1L, await CountAsync(database, "SELECT COUNT(*) FROM rollback_schema_version"));
            Assert.AreEqual(1L, await CountAsync(database, "SELECT COUNT(*) FROM needle_jobs.hash WHERE key = 'recurring-job:needle-guard' AND field = 'Cron'"));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}
