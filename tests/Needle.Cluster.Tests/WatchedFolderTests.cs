using Needle.Client;

namespace Needle.Cluster.Tests;

/// <summary>
/// Functions baked into the image: three sample hosts in processes of their own on one PostgreSQL all watch the same
/// folder. A file seen by every node, at start or on change, deploys once: one version, one audit event.
/// </summary>
[TestClass]
public sealed class WatchedFolderTests
{
    private static readonly Dictionary<string, string> TwoFunctions = new()
    {
        ["hello.js"] = "export default async () => 'hello v1';",
        ["bye.js"] = "export default async () => 'bye v1';",
    };

    [TestMethod]
    public async Task StartScan_ThreeNodesStartingTogetherOnTwoFunctions_DeploysEachOnceWithOneAuditEvent()
    {
        // Arrange: the files are there before any node starts; the nodes start at once.
        await using var cluster = await TestCluster.StartAsync(functionFiles: TwoFunctions);

        // Act: every node has scanned the folder once it listens.
        await cluster.WaitForAllAsync("/fn/hello", "hello@1");
        await cluster.WaitForAllAsync("/fn/bye", "bye@1");

        // Assert
        foreach (var name in new[] { "hello", "bye" })
        {
            var versions = (await cluster[0].Api.GetFunctionAsync(name)).Versions;
            Assert.AreEqual(1, versions.Count, $"{name}: versions {string.Join(", ", versions.Select(v => v.Number))}");
            var deploys = await DeployEventsAsync(cluster[1].Api, name);
            Assert.AreEqual(1, deploys.Count, $"{name}: {Describe(deploys)}");
        }

        Assert.AreEqual(0, (await cluster[2].Api.ListAuditAsync()).Count(e => e.Action == "deploy-failed"), "no node failed a deploy");
    }

    [TestMethod]
    public async Task FileChange_SeenByThreeNodes_DeploysOneNewVersionWithOneAuditEvent()
    {
        // Arrange
        await using var cluster = await TestCluster.StartAsync(functionFiles: TwoFunctions);
        await cluster.WaitForAllAsync("/fn/hello", "hello@1");

        // Act: one edit, seen by the three nodes' watchers at about the same time.
        await File.WriteAllTextAsync(Path.Combine(cluster.FunctionsPath, "hello.js"), "export default async () => 'hello v2';");
        await cluster.WaitForAllAsync("/fn/hello", "hello@2");

        // Assert: past every node's debounce (250 ms), still one new version and one event.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var versions = (await cluster[0].Api.GetFunctionAsync("hello")).Versions;
        Assert.AreEqual(2, versions.Count, $"versions {string.Join(", ", versions.Select(v => v.Number))}");
        var deploys = await DeployEventsAsync(cluster[2].Api, "hello");
        Assert.AreEqual(2, deploys.Count, Describe(deploys));
        foreach (var node in cluster.Nodes)
        {
            Assert.AreEqual("hello v2", (await node.GetAsync("/fn/hello")).Body, node.Id);
        }

        Assert.AreEqual(1, (await cluster[0].Api.GetFunctionAsync("bye")).Versions.Count, "the unchanged file deploys nothing");
    }

    [TestMethod]
    public async Task BrokenFile_SeenByThreeNodes_RecordsOneFailedDeploy()
    {
        // Arrange
        await using var cluster = await TestCluster.StartAsync(functionFiles: TwoFunctions);
        await cluster.WaitForAllAsync("/fn/hello", "hello@1");

        // Act: a syntax error, seen by the three nodes.
        await File.WriteAllTextAsync(Path.Combine(cluster.FunctionsPath, "hello.js"), "export default async () => {");
        var failed = await Eventually.ValueAsync(
            async () => (await cluster[0].Api.ListAuditAsync("hello")).Where(e => e.Action == "deploy-failed").ToList(),
            events => events.Count > 0,
            "a deploy-failed event for hello");

        // Assert: past every node's debounce, one event; the last good version keeps serving everywhere.
        await Task.Delay(TimeSpan.FromSeconds(3));
        failed = (await cluster[0].Api.ListAuditAsync("hello")).Where(e => e.Action == "deploy-failed").ToList();
        Assert.AreEqual(1, failed.Count, Describe(failed));
        foreach (var node in cluster.Nodes)
        {
            Assert.AreEqual("hello v1", (await node.GetAsync("/fn/hello")).Body, node.Id);
        }
    }

    [TestMethod]
    public async Task FileChange_SeenLateByANodeAfterARollback_DoesNotUndoTheRollback()
    {
        // Arrange: two nodes with the usual debounce, and a third whose watcher waits 8 s after a change.
        await using var cluster = await TestCluster.StartAsync(count: 2, functionFiles: TwoFunctions);
        using var lateDirectory = TemporaryDirectory.Create("needle-cluster-late");
        await using var late = await ClusterNode.StartAsync("node-late", lateDirectory.Path, new Dictionary<string, string>
        {
            ["ConnectionStrings:NeedlePostgres"] = cluster.ConnectionString,
            ["Needle:FunctionsPath"] = cluster.FunctionsPath,
            ["Needle:WatchDebounce"] = "00:00:08",
        });
        await cluster.WaitForAllAsync("/fn/hello", "hello@1");

        // Act: the change deploys on the quick nodes, an operator rolls it back, then the late node's watcher fires.
        var sinceTheChange = System.Diagnostics.Stopwatch.StartNew();
        await File.WriteAllTextAsync(Path.Combine(cluster.FunctionsPath, "hello.js"), "export default async () => 'hello v2';");
        await cluster.WaitForAllAsync("/fn/hello", "hello@2");
        await cluster[0].Api.RollbackAsync("hello", 1, "cluster test: v2 is bad");
        await cluster.WaitForAllAsync("/fn/hello", "hello@1");

        // Done right, the late node deploys nothing for the change and leaves no trace to wait on. So a broken file is
        // written a watcher tick (4 s, half the late debounce) after the change: the late node takes it up on a later
        // tick, and its log of that failure says it has dealt with the change to hello.js too.
        var tick = TimeSpan.FromSeconds(4.5);
        if (sinceTheChange.Elapsed < tick)
        {
            await Task.Delay(tick - sinceTheChange.Elapsed);
        }

        await File.WriteAllTextAsync(Path.Combine(cluster.FunctionsPath, "marker.js"), "export default async () => {");
        await Eventually.WaitAsync(
            () => late.Process.Output.Contains("Deploying marker ", StringComparison.Ordinal),
            "the late node's watcher to reach the broken file written after the change",
            TestCluster.ConvergeTimeout,
            TimeSpan.FromMilliseconds(200));

        // Assert: the late node found the change deployed since the file was written, and left the rollback alone.
        var versions = (await cluster[0].Api.GetFunctionAsync("hello")).Versions;
        Assert.AreEqual(2, versions.Count, $"versions {string.Join(", ", versions.Select(v => v.Number))}; late node:\n{late.OutputTail}");
        Assert.AreEqual("hello@1", await late.ServedVersionAsync("/fn/hello"), late.OutputTail);
        foreach (var node in cluster.Nodes)
        {
            Assert.AreEqual("hello@1", await node.ServedVersionAsync("/fn/hello"), node.Id);
        }
    }

    private static async Task<List<AuditEvent>> DeployEventsAsync(NeedleApiClient api, string name) =>
        (await api.ListAuditAsync(name)).Where(e => e.Action == "deploy").ToList();

    private static string Describe(IEnumerable<AuditEvent> events) =>
        string.Join("; ", events.Select(e => $"{e.Action} v{e.Version} by {e.Actor}: {e.Reason} {e.Detail}"));
}
