using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Options;
using Needle.Rollback.Hosting;
using Needle.Rollback.Tests.Infrastructure;
using Npgsql;

namespace Needle.Rollback.Tests.Hosting;

/// <summary>Needle.Rollback on a Needle store on PostgreSQL: its jobs and its state in that database, on a real server.</summary>
[TestClass]
public sealed class PostgresJobStorageTests
{
    [TestMethod]
    public async Task AddRollback_NeedleStoreOnPostgresAndNoStorageChosen_RunsJobsInTheStoresDatabaseInSchemaNeedleJobs()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var host = await RollbackTestHost.StartAsync(postgres: database, jobsInMemory: false);
        await host.DeployOrdersAsync();
        await host.DeployOrdersAsync("export default () => ({ v: 2 });\n");

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/rollback?async=true", new { reason = "bad deploy" });
        await Eventually.WaitAsync(
            async () => (await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders"))!.Any(e => e!["action"]!.GetValue<string>() == "rollback-served"),
            "the rollback job to run from the PostgreSQL queue");

        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode);
        Assert.IsInstanceOfType<PostgreSqlStorage>(host.Get<RollbackJobs>().Storage);
        // The job's state becomes Succeeded just after its audit event.
        await Eventually.WaitAsync(
            async () => await CountAsync(database, "SELECT COUNT(*) FROM needle_jobs.job WHERE statename = 'Succeeded' AND invocationdata::text LIKE '%RollbackJob%'") == 1,
            "one succeeded rollback job in needle_jobs.job");
        Assert.AreEqual(1L, await CountAsync(database, "SELECT COUNT(*) FROM needle_jobs.hash WHERE key = 'recurring-job:needle-guard' AND field = 'Cron'"));
        Assert.AreEqual(0L, await CountAsync(database, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'hangfire'"));
    }

    [TestMethod]
    public async Task StartPlan_NeedleStoreOnPostgres_KeepsThePlanInTheStoresDatabase()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var host = await RollbackTestHost.StartAsync(postgres: database, jobsInMemory: false, health: new FixedHealthSource());
        await host.DeployOrdersAsync();
        await host.DeployInactiveAsync("export default () => ({ v: 2 });\n");

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/plans", new { version = 2, steps = new[] { 10, 100 }, stepWaitSeconds = 60 });

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual(1L, await CountAsync(database, "SELECT COUNT(*) FROM release_plans WHERE function = 'orders' AND status = 'running'"));
        Assert.AreEqual(1L, await CountAsync(database, "SELECT COUNT(*) FROM rollback_schema_version"));
        Assert.AreEqual(1L, await CountAsync(database, "SELECT COUNT(*) FROM needle_jobs.job WHERE statename = 'Scheduled' AND invocationdata::text LIKE '%ReleasePlanJob%'"));
    }

    [TestMethod]
    public async Task AddRollback_UsePostgresStorageWithItsOwnSchema_PutsTheTablesThere()
    {
        var database = await PostgresServer.CreateDatabaseAsync();

        await using var host = await RollbackTestHost.StartAsync(configure: o => o.UsePostgresStorage(database, "ops_jobs"), jobsInMemory: false);

        Assert.AreEqual(1L, await CountAsync(database, "SELECT COUNT(*) FROM ops_jobs.hash WHERE key = 'recurring-job:needle-guard' AND field = 'Cron'"));
    }

    [TestMethod]
    public async Task AddRollback_UsePostgresStorageWithoutConnectionStringOnASqliteStore_FailsAtStartSayingWhatToPass()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RollbackTestHost.StartAsync(configure: o => o.UsePostgresStorage(), jobsInMemory: false));

        StringAssert.Contains(error.Message, "UsePostgresStorage(connectionString)");
        StringAssert.Contains(error.Message, "'sqlite'");
    }

    [TestMethod]
    public async Task AddRollback_QueuePollIntervalOfAMinute_FailsAtStartNamingTheOption()
    {
        var error = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => RollbackTestHost.StartAsync(configure: o => o.QueuePollInterval = TimeSpan.FromMinutes(1)));

        StringAssert.Contains(error.Message, "QueuePollInterval");
        StringAssert.Contains(error.Message, "one-minute");
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}
