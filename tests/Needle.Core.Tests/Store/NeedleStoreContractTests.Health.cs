using Needle.Store;

namespace Needle.Tests.Store;

/// <summary>The published health counts of the cluster (#15), on every database.</summary>
public abstract partial class NeedleStoreContractTests
{
    [TestMethod]
    public async Task PublishHealthAsync_TwoNodes_ReadsBackEachNodesSlicesAsWritten()
    {
        var store = await CreateInitializedStoreAsync();
        var a = Slice("node-a", "hello", 1, Start, 1000, 0, "3:990,40:10");
        var b = Slice("node-b", "hello", 2, Start, 10, 5, "7:5");

        await store.PublishHealthAsync(new HealthPublication("node-a", Start.AddSeconds(2), [a], Start.AddMinutes(-10)));
        await store.PublishHealthAsync(new HealthPublication("node-b", Start.AddSeconds(2), [b], Start.AddMinutes(-10)));
        var read = await store.ReadHealthAsync(Start.AddMinutes(-1), Start.AddSeconds(-30));

        CollectionAssert.AreEqual(new[] { "node-a", "node-b" }, read.Nodes.Select(n => n.NodeId).ToArray());
        Assert.AreEqual(Start.AddSeconds(2), read.Nodes[0].PublishedAt);
        CollectionAssert.AreEqual(new[] { a, b }, read.Windows.ToArray());
    }

    [TestMethod]
    public async Task ReadHealthAsync_NodeThatStoppedPublishing_IsLeftOutWithItsSlices()
    {
        var store = await CreateInitializedStoreAsync();
        await store.PublishHealthAsync(new HealthPublication("gone", Start, [Slice("gone", "hello", 1, Start.AddSeconds(-2), 50, 50, "")], Start.AddMinutes(-10)));
        await store.PublishHealthAsync(new HealthPublication("live", Start.AddSeconds(40), [Slice("live", "hello", 1, Start.AddSeconds(38), 7, 0, "1:7")], Start.AddMinutes(-10)));

        var read = await store.ReadHealthAsync(Start.AddMinutes(-5), publishedSince: Start.AddSeconds(10));

        Assert.AreEqual("live", read.Nodes.Single().NodeId);
        Assert.AreEqual(7, read.Windows.Single().Requests);
    }

    [TestMethod]
    public async Task ReadHealthAsync_Since_ReturnsOnlySlicesEndingAfterIt()
    {
        var store = await CreateInitializedStoreAsync();
        var old = Slice("node-a", "hello", 1, Start, 1, 0, "");
        var recent = Slice("node-a", "hello", 1, Start.AddSeconds(60), 2, 0, "");
        await store.PublishHealthAsync(new HealthPublication("node-a", Start.AddSeconds(62), [old, recent], Start.AddMinutes(-10)));

        var read = await store.ReadHealthAsync(Start.AddSeconds(30), Start);

        Assert.AreEqual(recent, read.Windows.Single());
    }

    [TestMethod]
    public async Task PublishHealthAsync_PruneBefore_DeletesEveryNodesOlderSlicesAndNodes()
    {
        var store = await CreateInitializedStoreAsync();
        await store.PublishHealthAsync(new HealthPublication("old-node", Start, [Slice("old-node", "hello", 1, Start.AddSeconds(-2), 5, 0, "")], Start.AddMinutes(-10)));
        await store.PublishHealthAsync(new HealthPublication("node-a", Start, [Slice("node-a", "hello", 1, Start.AddSeconds(-2), 5, 0, "")], Start.AddMinutes(-10)));

        await store.PublishHealthAsync(new HealthPublication("node-a", Start.AddMinutes(10), [Slice("node-a", "hello", 1, Start.AddMinutes(10).AddSeconds(-2), 1, 0, "")], Start.AddMinutes(5)));

        Assert.AreEqual(1, await CountAsync("SELECT COUNT(*) FROM health_windows"));
        Assert.AreEqual(1, await CountAsync("SELECT COUNT(*) FROM health_nodes"));
        var read = await store.ReadHealthAsync(DateTimeOffset.MinValue, DateTimeOffset.MinValue);
        Assert.AreEqual(1, read.Windows.Single().Requests);
    }

    [TestMethod]
    public async Task PublishHealthAsync_SameSliceTwice_KeepsTheLaterCounts()
    {
        var store = await CreateInitializedStoreAsync();
        await store.PublishHealthAsync(new HealthPublication("node-a", Start, [Slice("node-a", "hello", 1, Start, 5, 1, "1:4")], Start.AddMinutes(-10)));

        await store.PublishHealthAsync(new HealthPublication("node-a", Start, [Slice("node-a", "hello", 1, Start, 6, 2, "1:4,2:1")], Start.AddMinutes(-10)));

        var read = await store.ReadHealthAsync(DateTimeOffset.MinValue, DateTimeOffset.MinValue);
        Assert.AreEqual(Slice("node-a", "hello", 1, Start, 6, 2, "1:4,2:1"), read.Windows.Single());
    }

    [TestMethod]
    public async Task PublishHealthAsync_SliceOfAnotherNodeOrBackwards_ThrowsAndWritesNothing()
    {
        var store = await CreateInitializedStoreAsync();

        var foreign = await Assert.ThrowsExactlyAsync<ArgumentException>(() =>
            store.PublishHealthAsync(new HealthPublication("node-a", Start, [Slice("node-b", "hello", 1, Start, 1, 0, "")], Start.AddMinutes(-10))));
        var backwards = await Assert.ThrowsExactlyAsync<ArgumentException>(() =>
            store.PublishHealthAsync(new HealthPublication("node-a", Start, [Slice("node-a", "hello", 1, Start, 1, 0, "") with { To = Start.AddSeconds(-5) }], Start.AddMinutes(-10))));

        StringAssert.Contains(foreign.Message, "node-b");
        StringAssert.Contains(backwards.Message, "hello@1");
        Assert.AreEqual(0, await CountAsync("SELECT COUNT(*) FROM health_nodes"));
    }

    [TestMethod]
    public async Task PublishHealthAsync_DoesNotBumpTheRevision()
    {
        var store = await CreateInitializedStoreAsync();
        var before = await store.GetRevisionAsync();

        await store.PublishHealthAsync(new HealthPublication("node-a", Start, [Slice("node-a", "hello", 1, Start, 1, 0, "")], Start.AddMinutes(-10)));

        Assert.AreEqual(before, await store.GetRevisionAsync());
    }

    // A two-second slice ending at `to`.
    private static HealthWindowRecord Slice(string node, string function, int version, DateTimeOffset to, long requests, long errors, string latency) =>
        new(node, function, version, to.AddSeconds(-2), to, requests, errors, 0, latency);
}
