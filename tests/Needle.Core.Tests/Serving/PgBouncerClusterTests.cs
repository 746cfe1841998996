using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Needle.Hosting;
using Needle.Telemetry;

namespace Needle.Tests.Serving;

/// <summary>
/// Two real hosts whose store goes through PgBouncer in transaction mode. With the listener on a direct connection
/// (<see cref="PostgresStoreOptions.ListenerConnectionString"/>) a change on one serves on the other by notification;
/// with the listener through PgBouncer too (the mistake the docs warn of) it hears nothing, and the node says so in
/// its log and its health check while the poll carries changes.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class PgBouncerClusterTests
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(30);

    [TestMethod]
    public async Task DeployAndRollback_StoreThroughPgBouncerListenerDirect_ServeOnTheOtherNodeByNotification()
    {
        // Arrange
        var bouncer = await PgBouncerServer.SharedAsync();
        var database = await PostgresServer.CreateDatabaseAsync();
        var logs = new LogCapture();
        await using var a = await ClusterNodes.StartAsync("node-a", bouncer.Through(database), LongPoll, p => p.ListenerConnectionString = database, logs);
        await using var b = await ClusterNodes.StartAsync("node-b", bouncer.Through(database), LongPoll, p => p.ListenerConnectionString = database, logs);
        await ClusterNodes.WaitForListenerAsync(database, "node-a");
        await ClusterNodes.WaitForListenerAsync(database, "node-b");
        await a.DeployAsync("hello", "export default async () => 'v1';");
        await Eventually.WaitAsync(async () => (await b.GetAsync("/fn/hello")).Version == "hello@1", "node B to serve hello@1");

        // Act: a deploy on A, then a rollback from B.
        await a.DeployAsync("hello", "export default async () => 'v2';");
        var deployed = Stopwatch.StartNew();
        await Eventually.WaitAsync(async () => (await b.GetAsync("/fn/hello")).Version == "hello@2", "node B to serve hello@2", LongPoll / 3, TimeSpan.FromMilliseconds(10));
        deployed.Stop();
        using var rollback = await b.Client.PostAsync("/needle/api/functions/hello/rollback", JsonContent("""{"reason":"through pgbouncer"}"""));
        var rolledBack = Stopwatch.StartNew();
        await Eventually.WaitAsync(async () => (await a.GetAsync("/fn/hello")).Version == "hello@1", "node A to serve hello@1 again", LongPoll / 3, TimeSpan.FromMilliseconds(10));
        rolledBack.Stop();

        // Assert: both well under the poll (30 s), and neither listener found itself deaf.
        System.Console.WriteLine($"deploy reached B after {deployed.Elapsed.TotalMilliseconds:F0} ms, rollback reached A after {rolledBack.Elapsed.TotalMilliseconds:F0} ms");
        Assert.IsTrue(rollback.IsSuccessStatusCode, await rollback.Content.ReadAsStringAsync());
        Assert.IsLessThan(TimeSpan.FromSeconds(5), deployed.Elapsed);
        Assert.IsLessThan(TimeSpan.FromSeconds(5), rolledBack.Elapsed);
        Assert.IsFalse(logs.Entries.Any(e => e.EventId.Id == NeedleEventIds.StoreListenerDeaf), "a direct listener hears its probe");
        Assert.IsNull((await b.Get<Needle.Serving.INeedleServingState>().CheckAsync()).ListenerProblem);
    }

    [TestMethod]
    public async Task Listener_ThroughPgBouncerInTransactionMode_WarnsNamingTheOptionAndThePollCarriesChanges()
    {
        // Arrange: node B's listener goes through PgBouncer as its store does (no ListenerConnectionString).
        var bouncer = await PgBouncerServer.SharedAsync();
        var database = await PostgresServer.CreateDatabaseAsync();
        var logs = new LogCapture();
        await using var a = await ClusterNodes.StartAsync("node-a", database, LongPoll);
        await using var b = await ClusterNodes.StartAsync("node-b", bouncer.Through(database), TimeSpan.FromMilliseconds(500), p => p.ListenerKeepAlive = TimeSpan.FromSeconds(2), logs, health: true);

        // Act
        await Eventually.WaitAsync(() => logs.Entries.Any(e => e.EventId.Id == NeedleEventIds.StoreListenerDeaf), "node B to find its listener deaf", TimeSpan.FromSeconds(30));
        var report = await b.Get<HealthCheckService>().CheckHealthAsync();
        await a.DeployAsync("hello", "export default async () => 'v1';");

        // Assert: one warning that names the option to set and says the poll goes on; the health check shows it; the
        // poll brings the change.
        var warning = logs.Entries.Single(e => e.EventId.Id == NeedleEventIds.StoreListenerDeaf);
        Assert.AreEqual(LogLevel.Warning, warning.Level);
        StringAssert.Contains(warning.Message, "Postgres.ListenerConnectionString");
        StringAssert.Contains(warning.Message, "PgBouncer in transaction mode");
        StringAssert.Contains(warning.Message, "poll");
        var needle = report.Entries["needle"];
        Assert.AreEqual(HealthStatus.Degraded, needle.Status, needle.Description);
        StringAssert.Contains((string)needle.Data["listener"], "Postgres.ListenerConnectionString");
        StringAssert.Contains(needle.Description, "hears no notifications");
        await Eventually.WaitAsync(async () => (await b.GetAsync("/fn/hello")).Version == "hello@1", "node B to poll hello@1");
    }

    [TestMethod]
    public async Task Listener_Direct_HearsItsProbeAndReportsNoProblem()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var logs = new LogCapture();
        await using var a = await ClusterNodes.StartAsync("node-a", database, LongPoll, logs: logs, health: true);
        await ClusterNodes.WaitForListenerAsync(database, "node-a");
        await Task.Delay(TimeSpan.FromSeconds(1));

        var report = await a.Get<HealthCheckService>().CheckHealthAsync();

        Assert.AreEqual(HealthStatus.Healthy, report.Entries["needle"].Status, report.Entries["needle"].Description);
        Assert.IsFalse(report.Entries["needle"].Data.ContainsKey("listener"));
        Assert.IsFalse(logs.Entries.Any(e => e.EventId.Id == NeedleEventIds.StoreListenerDeaf));
        Assert.AreEqual(0L, a.Get<Needle.Serving.INeedleServingState>().StoreRevision, "the probe's payload is not a revision");
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
