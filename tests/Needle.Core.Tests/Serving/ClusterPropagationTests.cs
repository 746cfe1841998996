using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Needle.Functions;
using Needle.Hosting;
using Needle.Store;
using Npgsql;

namespace Needle.Tests.Serving;

/// <summary>
/// Two real hosts on one PostgreSQL database: a change committed on one serves on the other through the store's
/// notification, well before the poll; the poll still converges without notifications; a listener that loses its
/// connection reconnects and reads the whole store again.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ClusterPropagationTests
{
    // Long enough that a change seen within the test's bounds cannot have come from the poll.
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(30);

    [TestMethod]
    public async Task Deploy_OnNodeA_ServesOnNodeBWellBeforeThePoll()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var a = await StartNodeAsync("node-a", database, LongPoll);
        await using var b = await StartNodeAsync("node-b", database, LongPoll);
        await WaitForListenerAsync(database, "node-b");

        await a.DeployAsync("hello", "export default async () => 'v1';");
        await Eventually.WaitAsync(async () => (await b.GetAsync("/fn/hello")).Version == "hello@1", "node B to serve hello@1");

        // Measured from the API call's return on A until B serves the version (the first, above, also warms B up).
        var times = new List<TimeSpan>();
        for (var version = 2; version <= 6; version++)
        {
            await a.DeployAsync("hello", $"export default async () => 'v{version}';");
            var watch = Stopwatch.StartNew();
            await Eventually.WaitAsync(async () => (await b.GetAsync("/fn/hello")).Version == $"hello@{version}", $"node B to serve hello@{version}", interval: TimeSpan.FromMilliseconds(5));
            times.Add(watch.Elapsed);
        }

        times.Sort();
        System.Console.WriteLine($"node B served each deploy after {string.Join(", ", times.Select(t => $"{t.TotalMilliseconds:F0} ms"))} (median {times[2].TotalMilliseconds:F0} ms)");
        Assert.IsLessThan(LongPoll / 3, times[^1], "the notification, not the poll, brought every change");
    }

    [TestMethod]
    public async Task Deploy_NotificationsOff_ThePollStillConverges()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var a = await StartNodeAsync("node-a", database, LongPoll, p => p.Notifications = false);
        await using var b = await StartNodeAsync("node-b", database, TimeSpan.FromMilliseconds(200), p => p.Notifications = false);

        await a.DeployAsync("hello", "export default async () => 'v1';");

        await Eventually.WaitAsync(async () => (await b.GetAsync("/fn/hello")).Version == "hello@1", "node B to poll hello@1");
        Assert.AreEqual(0L, await CountListenersAsync(database, "node-b"), "node B listens for nothing");
    }

    [TestMethod]
    public async Task Listener_BackendTerminated_ReconnectsAndResyncsWhatItMissed()
    {
        // Node B listens as a role of its own (as behind PgBouncer, through ListenerConnectionString), so the test can
        // keep it from reconnecting while a change is made: that change's notification is lost for good.
        var database = await PostgresServer.CreateDatabaseAsync();
        var role = "listener_" + Guid.NewGuid().ToString("n");
        await ExecuteAsync(database, $"CREATE ROLE {role} LOGIN");
        var listener = new NpgsqlConnectionStringBuilder(database) { Username = role }.ConnectionString;
        await using var a = await StartNodeAsync("node-a", database, LongPoll);
        await using var b = await StartNodeAsync("node-b", database, LongPoll, p =>
        {
            p.ListenerConnectionString = listener;
            p.ListenerMaxReconnectDelay = TimeSpan.FromMilliseconds(200);
        });
        await WaitForListenerAsync(database, "node-b");
        await a.DeployAsync("hello", "export default async () => 'v1';");
        await Eventually.WaitAsync(async () => (await b.GetAsync("/fn/hello")).Version == "hello@1", "node B to serve hello@1");
        var store = a.Services.GetRequiredService<INeedleStore>();
        var v2 = await store.AddVersionAsync(new NewVersion(
            "hello", "export default async () => 'v2';", new FunctionManifest { Name = "hello", Runtime = "javascript" }, "hash-v2", "test", Activate: false));

        await ExecuteAsync(database, $"ALTER ROLE {role} NOLOGIN");
        await ExecuteAsync(database, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'needle-listener:node-b'");
        await Eventually.WaitAsync(async () => await CountListenersAsync(database, "node-b") == 0, "node B's listener to be gone");
        var release = await store.SetReleaseAsync(new ReleaseChange("hello", v2.Version.Number, null, 0, "activate", "test", "while B is away"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.AreEqual("hello@1", (await b.GetAsync("/fn/hello")).Version, "the change's notification was lost while B was away");
        await ExecuteAsync(database, $"ALTER ROLE {role} LOGIN");

        await Eventually.WaitAsync(async () => (await b.GetAsync("/fn/hello")).Version == "hello@2", "node B to reconnect and resync to hello@2", TimeSpan.FromSeconds(20));
        Assert.AreEqual(1L, await CountListenersAsync(database, "node-b"));
        Assert.AreEqual(release.Revision, b.Services.GetRequiredService<Needle.Serving.Reconciler>().AppliedRevision);
    }

    private static Task<NeedleTestHost> StartNodeAsync(string nodeId, string database, TimeSpan poll, Action<PostgresStoreOptions>? postgres = null) =>
        ClusterNodes.StartAsync(nodeId, database, poll, postgres);

    private static Task WaitForListenerAsync(string database, string nodeId) => ClusterNodes.WaitForListenerAsync(database, nodeId);

    private static Task<long> CountListenersAsync(string database, string nodeId) => ClusterNodes.CountListenersAsync(database, nodeId);

    private static Task ExecuteAsync(string database, string sql) => ClusterNodes.ExecuteAsync(database, sql);
}
