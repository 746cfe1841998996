using System.Diagnostics;
using Needle.Store.Postgres;

namespace Needle.Tests.Serving;

/// <summary>
/// The listener on a network that fails silently: a route that drops packets sends no FIN or RST, so a dead
/// <c>LISTEN</c> connection looks idle. The node must notice it within its keepalive and the keepalive's deadline,
/// reconnect, resync, and hear notifications again, and say so once in its log.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ListenerNetworkTests
{
    // Far beyond every bound below: what the node learns within them came through the listener (or its resync).
    private static readonly TimeSpan NoPoll = TimeSpan.FromMinutes(10);

    [TestMethod]
    public async Task Listener_ConnectionBlackHoled_ReconnectsResyncsAndHearsNotificationsAgain()
    {
        // Arrange: node B's listener goes through a proxy that will drop everything; its store is direct.
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var proxy = TcpProxy.ForPostgres(database);
        var logs = new LogCapture();
        await using var a = await ClusterNodes.StartAsync("node-a", database, NoPoll);
        await using var b = await ClusterNodes.StartAsync("node-b", database, NoPoll, p =>
        {
            p.ListenerConnectionString = proxy.Through(database);
            p.ListenerKeepAlive = TimeSpan.FromSeconds(1);
            p.ListenerMaxReconnectDelay = TimeSpan.FromMilliseconds(200);
        }, logs);
        await ClusterNodes.WaitForListenerAsync(database, "node-b");
        await a.DeployAsync("hello", "export default async () => 'v1';");
        await Eventually.WaitAsync(async () => (await b.GetAsync("/fn/hello")).Version == "hello@1", "node B to serve hello@1");

        // Act: the network drops the listener's packets; a change is committed meanwhile.
        proxy.BlackHole();
        var silent = Stopwatch.StartNew();
        await a.DeployAsync("hello", "export default async () => 'v2';");

        // Assert: Npgsql's keepalive query goes unanswered and fails after a keepalive period of its own, so within
        // twice the keepalive (2 s) + the first reconnect delay (0.1 s) + the resync, with room for a loaded machine,
        // B has dropped the dead connection, reconnected and read what it missed (not the poll: ten minutes away).
        await Eventually.WaitAsync(async () => (await b.GetAsync("/fn/hello")).Version == "hello@2", "node B to notice the dead listener and resync to hello@2", TimeSpan.FromSeconds(20));
        silent.Stop();
        System.Console.WriteLine($"node B resynced {silent.Elapsed.TotalMilliseconds:F0} ms after its listener was black-holed");
        Assert.IsLessThan(TimeSpan.FromSeconds(15), silent.Elapsed);

        // ... and the new listener hears the next change by notification (the poll is ten minutes away).
        await a.DeployAsync("hello", "export default async () => 'v3';");
        var heard = Stopwatch.StartNew();
        await Eventually.WaitAsync(async () => (await b.GetAsync("/fn/hello")).Version == "hello@3", "node B to hear hello@3", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10));
        System.Console.WriteLine($"node B served hello@3 {heard.Elapsed.TotalMilliseconds:F0} ms after the deploy");
        var disconnects = logs.Entries.Count(e => e.EventId.Id == Needle.Telemetry.NeedleEventIds.StoreListenerDisconnected);
        Assert.AreEqual(1, disconnects, "one dead connection, one warning");
        Assert.AreEqual(2, proxy.Accepted, "one reconnect");
    }
}
