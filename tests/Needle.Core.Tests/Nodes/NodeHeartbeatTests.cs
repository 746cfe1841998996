using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Client;
using Needle.Hosting;
using Needle.Nodes;

namespace Needle.Tests.Nodes;

/// <summary>
/// Real hosts on one store, each writing its heartbeat: <c>GET /nodes</c> shows every node live with the versions it
/// serves of each function (stable and canary) after a deploy, a canary and a promote; a host that stops cleanly
/// leaves the table at once, a node that stops beating (a crash) shows as gone after
/// <see cref="NeedleOptions.NodeGoneAfter"/>, and both are live again when they return. On one SQLite file (the nodes
/// converge by poll) and on a real PostgreSQL database.
/// </summary>
[TestClass]
public sealed class NodeHeartbeatTests
{
    private static readonly TimeSpan Beat = TimeSpan.FromMilliseconds(200);

    // Fifteen beats: a loaded machine may delay a beat by a second or more, never by this much.
    private static readonly TimeSpan GoneAfter = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [TestMethod]
    public async Task ListNodes_TwoHostsOnOneSqliteFile_ShowEachLiveWithStableAndCanary()
    {
        using var directory = TemporaryDirectory.Create("needle-nodes");
        await ServesStableAndCanaryOnEveryNodeAsync(id => StartSqliteNodeAsync(id, directory.Path), "node-a", "node-b");
    }

    [TestMethod]
    public async Task ListNodes_ThreeHostsOnOnePostgresDatabase_ShowEachLiveWithStableAndCanary()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await ServesStableAndCanaryOnEveryNodeAsync(id => StartPostgresNodeAsync(id, database), "node-a", "node-b", "node-c");
    }

    [TestMethod]
    public async Task ListNodes_CleanlyStoppedHostOnOneSqliteFile_LeavesTheTableAtOnceAndIsLiveWhenItReturns()
    {
        using var directory = TemporaryDirectory.Create("needle-nodes");
        await CleanlyStoppedNodeLeavesAndComesBackAsync(id => StartSqliteNodeAsync(id, directory.Path), "node-a", "node-b");
    }

    [TestMethod]
    public async Task ListNodes_CleanlyStoppedHostOnPostgres_LeavesTheTableAtOnceAndIsLiveWhenItReturns()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await CleanlyStoppedNodeLeavesAndComesBackAsync(id => StartPostgresNodeAsync(id, database), "node-a", "node-b", "node-c");
    }

    [TestMethod]
    public async Task ListNodes_NodeThatStopsBeatingOnOneSqliteFile_GoneAfterNodeGoneAfterAndLiveWhenItBeatsAgain()
    {
        using var directory = TemporaryDirectory.Create("needle-nodes");
        await SilentNodeGoesGoneAndComesBackAsync(id => StartSqliteNodeAsync(id, directory.Path), "node-a", "node-b");
    }

    [TestMethod]
    public async Task ListNodes_NodeThatStopsBeatingOnPostgres_GoneAfterNodeGoneAfterAndLiveWhenItBeatsAgain()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await SilentNodeGoesGoneAndComesBackAsync(id => StartPostgresNodeAsync(id, database), "node-a", "node-b", "node-c");
    }

    [TestMethod]
    public async Task Heartbeat_TwoProcessesWithOneNodeId_EachSaysSoInItsLogAndServingCheck()
    {
        // One Needle:NodeId for two processes, as an appsettings.json baked into every replica's image would give.
        using var directory = TemporaryDirectory.Create("needle-nodes");
        var logs = new LogCapture();
        await using var first = await NeedleTestHost.StartAsync(new NeedleTestHostSettings { NodeId = "shared", Directory = directory.Path, Options = Heartbeats, Needle = (n, _) => n.Services.AddSingleton<ILoggerProvider>(logs) });
        await using var second = await NeedleTestHost.StartAsync(new NeedleTestHostSettings { NodeId = "shared", Directory = directory.Path, Options = Heartbeats });
        await first.DeployAsync("hello", "export default async () => 'v1';");

        foreach (var host in new[] { first, second })
        {
            await Eventually.WaitAsync(
                async () => (await host.Services.GetRequiredService<Needle.Serving.INeedleServingState>().CheckAsync()).NodeIdConflict is not null,
                "each process to see the other's heartbeats in its row",
                Patience);
        }

        var shared = logs.Entries.Where(e => e.EventId.Id == Needle.Telemetry.NeedleEventIds.NodeIdShared).ToList();
        Assert.AreEqual(1, shared.Count, "said once, not at every beat: " + string.Join(" | ", shared.Select(e => e.Message)));
        Assert.AreEqual(LogLevel.Error, shared[0].Level);
        StringAssert.Contains(shared[0].Message, "Needle:NodeId");
    }

    [TestMethod]
    public async Task Heartbeat_RestartWithTheSameNodeId_IsNoConflict()
    {
        using var directory = TemporaryDirectory.Create("needle-nodes");
        await using (var before = await NeedleTestHost.StartAsync(new NeedleTestHostSettings { NodeId = "node-a", Directory = directory.Path, Options = Heartbeats }))
        {
            await before.DeployAsync("hello", "export default async () => 'v1';");
        }

        var logs = new LogCapture();
        await using var after = await NeedleTestHost.StartAsync(new NeedleTestHostSettings { NodeId = "node-a", Directory = directory.Path, Options = Heartbeats, Needle = (n, _) => n.Services.AddSingleton<ILoggerProvider>(logs) });
        await Task.Delay(GoneAfter);

        Assert.IsNull((await after.Services.GetRequiredService<Needle.Serving.INeedleServingState>().CheckAsync()).NodeIdConflict);
        Assert.AreEqual(0, logs.Entries.Count(e => e.EventId.Id == Needle.Telemetry.NeedleEventIds.NodeIdShared));
    }

    [TestMethod]
    public async Task Heartbeat_NoChange_KeepsMovingTheNodesUpdatedAt()
    {
        await using var host = await StartSqliteNodeAsync("node-a", directory: null);
        var first = await Eventually.ValueAsync(() => host.Api.ListNodesAsync(), n => n.Count == 1, "the node's first heartbeat", Patience);

        var later = await Eventually.ValueAsync(
            () => host.Api.ListNodesAsync(), n => n.Single().UpdatedAt > first.Single().UpdatedAt, "a later heartbeat with nothing changed", Patience);

        Assert.AreEqual(first.Single().Revision, later.Single().Revision);
        Assert.IsLessThan(GoneAfter.TotalSeconds, later.Single().HeartbeatAgeSeconds);
    }

    [TestMethod]
    public async Task Heartbeat_NodeTableUnwritable_WarnsOnceKeepsServingAndBeatsAgainWhenItReturns()
    {
        using var directory = TemporaryDirectory.Create("needle-nodes");
        var logs = new LogCapture();
        await using var host = await NeedleTestHost.StartAsync(new NeedleTestHostSettings
        {
            NodeId = "node-a",
            Directory = directory.Path,
            Options = Heartbeats,
            Needle = (n, _) => n.Services.AddSingleton<ILoggerProvider>(logs),
        });
        await host.DeployAsync("hello", "export default async () => 'v1';");
        var before = (await Eventually.ValueAsync(() => host.Api.ListNodesAsync(), n => n.Count == 1, "the first heartbeat", Patience)).Single();

        await ExecuteSqliteAsync(directory.Path, "ALTER TABLE nodes RENAME TO nodes_away");
        await Eventually.WaitAsync(() => HeartbeatWarnings(logs) > 0, "a warning that the heartbeat failed", Patience);
        await Task.Delay(Beat * 10);

        Assert.AreEqual(1, HeartbeatWarnings(logs), "one warning per outage, not one per beat");
        Assert.AreEqual("hello@1", (await host.GetAsync("/fn/hello")).Version, "the node serves on");
        await ExecuteSqliteAsync(directory.Path, "ALTER TABLE nodes_away RENAME TO nodes");
        await Eventually.WaitAsync(
            async () => (await host.Api.ListNodesAsync()).Single().UpdatedAt > before.UpdatedAt.AddSeconds(1), "a heartbeat after the table came back", Patience);
    }

    [TestMethod]
    public async Task Heartbeat_NodeGoneLongerThanNodeForgetAfter_IsDeletedFromTheTable()
    {
        using var directory = TemporaryDirectory.Create("needle-nodes");
        await using var host = await StartSqliteNodeAsync("node-a", directory.Path);
        await Eventually.WaitAsync(async () => (await host.Api.ListNodesAsync()).Count == 1, "the first heartbeat", Patience);

        // A process that stopped two hours ago (NodeForgetAfter is one hour here) and one that stopped a minute ago.
        var now = DateTimeOffset.UtcNow;
        await ExecuteSqliteAsync(directory.Path, $"INSERT INTO nodes (node_id, revision, updated_at, serving) VALUES ('restarted-long-ago', 0, '{StoreTimeText(now.AddHours(-2))}', '')");
        await ExecuteSqliteAsync(directory.Path, $"INSERT INTO nodes (node_id, revision, updated_at, serving) VALUES ('stopped-lately', 0, '{StoreTimeText(now.AddMinutes(-1))}', '')");

        var nodes = await Eventually.ValueAsync(
            () => host.Api.ListNodesAsync(), n => n.All(x => x.NodeId != "restarted-long-ago"), "the long-gone node to be deleted", Patience);

        CollectionAssert.AreEqual(new[] { "node-a", "stopped-lately" }, nodes.Select(n => n.NodeId).ToArray());
        Assert.AreEqual("gone", nodes.Single(n => n.NodeId == "stopped-lately").State);
    }

    [TestMethod]
    [DataRow(0, 30_000, 60_000, "NodeHeartbeatInterval must be at least 10 ms", DisplayName = "no heartbeat interval")]
    [DataRow(5_000, 9_000, 60_000, "NodeGoneAfter must be at least twice NodeHeartbeatInterval", DisplayName = "gone after less than two beats")]
    [DataRow(5_000, 30_000, 30_000, "NodeForgetAfter must be longer than NodeGoneAfter", DisplayName = "forgotten as soon as gone")]
    public async Task Start_InvalidHeartbeatOptions_FailsValidationNamingTheOption(int beatMs, int goneAfterMs, int forgetAfterMs, string expected)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        using var directory = TemporaryDirectory.Create("needle-nodes");
        builder.Services.AddNeedle(o =>
        {
            o.UseSqlite(NeedleTestHost.StoreConnectionString(directory.Path));
            o.NodeHeartbeatInterval = TimeSpan.FromMilliseconds(beatMs);
            o.NodeGoneAfter = TimeSpan.FromMilliseconds(goneAfterMs);
            o.NodeForgetAfter = TimeSpan.FromMilliseconds(forgetAfterMs);
        });
        await using var app = builder.Build();

        var ex = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => app.StartAsync());

        StringAssert.Contains(ex.Message, expected);
    }

    private static async Task ServesStableAndCanaryOnEveryNodeAsync(Func<string, Task<NeedleTestHost>> start, params string[] ids)
    {
        var hosts = new List<NeedleTestHost>();
        try
        {
            foreach (var id in ids)
            {
                hosts.Add(await start(id));
            }

            var (first, last) = (hosts[0], hosts[^1]);
            await first.DeployAsync("hello", "export default async () => 'v1';");
            await first.DeployAsync("other", "export default async () => 'other';");

            // A canary deployed on another node: every node's row names both versions, as the answering node reads it.
            await last.DeployAsync("hello", "export default async () => 'v2';", canary: new { weight = 10 });
            var nodes = await WaitForEveryNodeAsync(first, ids, f => f is { Name: "hello", StableVersion: 1, CanaryVersion: 2 }, "hello 1 with canary 2");

            Assert.IsTrue(nodes.All(n => n is { Live: true, State: "live" }), Describe(nodes));
            Assert.IsTrue(nodes.All(n => n.Functions!.Any(f => f is { Name: "other", StableVersion: 1, CanaryVersion: null, KillSwitchOn: false })), Describe(nodes));
            CollectionAssert.AreEqual(ids, (await last.Services.GetRequiredService<INeedleNodes>().ListLiveNodeIdsAsync()).ToArray());

            using var promote = await last.Client.PostAsJsonAsync("/needle/api/functions/hello/promote", new { reason = "good" });
            Assert.IsTrue(promote.IsSuccessStatusCode, await promote.Content.ReadAsStringAsync());
            await WaitForEveryNodeAsync(first, ids, f => f is { Name: "hello", StableVersion: 2, CanaryVersion: null }, "hello 2 without a canary");
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    // A clean stop (the host disposed: hosted services stopped) deletes the node's row before the next beat could age.
    private static async Task CleanlyStoppedNodeLeavesAndComesBackAsync(Func<string, Task<NeedleTestHost>> start, params string[] ids)
    {
        var hosts = new List<NeedleTestHost>();
        NeedleTestHost? returned = null;
        try
        {
            foreach (var id in ids)
            {
                hosts.Add(await start(id));
            }

            var observer = hosts[0];
            var stopped = ids[^1];
            await observer.DeployAsync("hello", "export default async () => 'v1';");
            await WaitForEveryNodeAsync(observer, ids, f => f is { Name: "hello", StableVersion: 1 }, "hello 1");
            await hosts[^1].DisposeAsync();
            hosts.RemoveAt(hosts.Count - 1);

            // The row is deleted, not merely aging: a row that stays shows as gone after NodeGoneAfter (3 s) and is
            // deleted only after NodeForgetAfter (an hour), so a row gone within this wait is the clean stop's doing.
            var after = await Eventually.ValueAsync(
                () => observer.Api.ListNodesAsync(), n => n.Select(x => x.NodeId).SequenceEqual(ids[..^1]), $"{stopped}'s row to leave the table");
            Assert.IsTrue(after.All(n => n.Live), Describe(after));
            CollectionAssert.AreEqual(ids[..^1], (await observer.Services.GetRequiredService<INeedleNodes>().ListLiveNodeIdsAsync()).ToArray());

            returned = await start(stopped);
            await WaitForEveryNodeAsync(observer, ids, f => f is { Name: "hello", StableVersion: 1 }, "hello 1 again, with the returned node");
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            if (returned is not null)
            {
                await returned.DisposeAsync();
            }
        }
    }

    // A crashed node is a row whose heartbeat stops moving: written here once through the store, as its last beat.
    private static async Task SilentNodeGoesGoneAndComesBackAsync(Func<string, Task<NeedleTestHost>> start, params string[] ids)
    {
        var hosts = new List<NeedleTestHost>();
        try
        {
            foreach (var id in ids)
            {
                hosts.Add(await start(id));
            }

            var observer = hosts[0];
            const string Silent = "node-crashed";
            await observer.DeployAsync("hello", "export default async () => 'v1';");
            await WaitForEveryNodeAsync(observer, ids, f => f is { Name: "hello", StableVersion: 1 }, "hello 1");
            var store = observer.Services.GetRequiredService<Needle.Store.INeedleStore>();
            await store.HeartbeatNodeAsync(Silent, await store.GetRevisionAsync(), "hello=1", "test-instance");
            Assert.IsTrue((await observer.Api.ListNodesAsync()).Single(n => n.NodeId == Silent).Live, "live right after its beat");

            var gone = await Eventually.ValueAsync(
                () => observer.Api.ListNodesAsync(), n => n.Single(x => x.NodeId == Silent).State == "gone", $"{Silent} to show as gone", Patience);

            var row = gone.Single(n => n.NodeId == Silent);
            Assert.IsFalse(row.Live);
            Assert.IsGreaterThanOrEqualTo(GoneAfter.TotalSeconds, row.HeartbeatAgeSeconds, Describe(gone));
            Assert.IsTrue(row.Functions!.Any(f => f is { Name: "hello", StableVersion: 1 }), "a gone node's row still shows what it served last: " + Describe(gone));
            Assert.IsTrue(gone.Where(n => n.NodeId != Silent).All(n => n.Live), "the running nodes stay live: " + Describe(gone));
            CollectionAssert.AreEqual(ids, (await observer.Services.GetRequiredService<INeedleNodes>().ListLiveNodeIdsAsync()).ToArray());

            await store.HeartbeatNodeAsync(Silent, await store.GetRevisionAsync(), "hello=1", "test-instance");
            Assert.IsTrue((await observer.Api.ListNodesAsync()).Single(n => n.NodeId == Silent).Live, $"{Silent} is live again at its next beat");
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    // Waits until GET /nodes on the observer lists exactly these nodes, each serving a function the way `serves` says.
    private static Task<IReadOnlyList<NodeStatus>> WaitForEveryNodeAsync(NeedleTestHost observer, string[] ids, Func<NodeFunctionStatus, bool> serves, string what) =>
        Eventually.ValueAsync(
            () => observer.Api.ListNodesAsync(),
            nodes => nodes.Select(n => n.NodeId).SequenceEqual(ids) && nodes.All(n => n.Functions?.Any(serves) == true),
            $"every node ({string.Join(", ", ids)}) to serve {what}",
            Patience);

    private static string Describe(IEnumerable<NodeStatus> nodes) =>
        string.Join("; ", nodes.Select(n => $"{n.NodeId} {n.State} rev {n.Revision} age {n.HeartbeatAgeSeconds} s: {string.Join(",", n.Functions?.Select(f => $"{f.Name}={f.StableVersion}+{f.CanaryVersion}") ?? [])}"));

    // The store's time text (ISO, UTC, seven fractional digits), for rows a test writes itself.
    private static string StoreTimeText(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static int HeartbeatWarnings(LogCapture logs) =>
        logs.Entries.Count(e => e.EventId.Id == Needle.Telemetry.NeedleEventIds.NodeReportFailed && e.Level == LogLevel.Warning);

    private static async Task ExecuteSqliteAsync(string directory, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(NeedleTestHost.StoreConnectionString(directory) + ";Pooling=False");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 10000; " + sql;
        await command.ExecuteNonQueryAsync();
    }

    private static Task<NeedleTestHost> StartSqliteNodeAsync(string nodeId, string? directory) =>
        NeedleTestHost.StartAsync(new NeedleTestHostSettings { NodeId = nodeId, Directory = directory, Options = Heartbeats });

    private static Task<NeedleTestHost> StartPostgresNodeAsync(string nodeId, string database) =>
        NeedleTestHost.StartAsync(new NeedleTestHostSettings
        {
            NodeId = nodeId,
            Options = o =>
            {
                o.UsePostgres(database);
                Heartbeats(o);
            },
        });

    private static void Heartbeats(NeedleOptions o)
    {
        o.PollInterval = Beat;
        o.NodeHeartbeatInterval = Beat;
        o.NodeGoneAfter = GoneAfter;
        o.NodeForgetAfter = TimeSpan.FromHours(1);
    }
}
