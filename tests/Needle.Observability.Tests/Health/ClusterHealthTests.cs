using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Needle.Observability.Health;
using Needle.Observability.Hosting;
using Needle.Releases;
using Needle.Serving;
using Needle.Store;
using Needle.Telemetry;

namespace Needle.Observability.Tests.Health;

/// <summary>
/// The cluster's health: nodes on one real SQLite store (each its own windows, publisher and reader, on one fake clock)
/// add up as sums of counts, and a node that stopped publishing leaves them.
/// </summary>
[TestClass]
public sealed class ClusterHealthTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 4, 0, 0, TimeSpan.Zero));
    private TemporaryDirectory _directory = null!;
    private ServiceProvider _services = null!;
    private INeedleStore _store = null!;

    [TestInitialize]
    public async Task CreateStoreAsync()
    {
        _directory = TemporaryDirectory.Create("needle-cluster-health");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNeedle(o => o.UseSqlite(NeedleTestHost.StoreConnectionString(_directory.Path)));
        _services = services.BuildServiceProvider();
        _store = _services.GetRequiredService<INeedleStore>();
        await _store.InitializeAsync();
    }

    [TestCleanup]
    public async Task DeleteStoreAsync()
    {
        await _services.DisposeAsync();
        _directory.Dispose();
    }

    [TestMethod]
    public async Task GetSample_StableOnTwoNodesCanaryOnOne_IsTheRatioOfTheSums()
    {
        var a = Node("node-a");
        var b = Node("node-b");
        a.Record(Call(1, InvocationOutcome.Success), 1000);
        b.Record(Call(1, InvocationOutcome.Success), 5);
        b.Record(Call(1, InvocationOutcome.Error), 5);
        b.Record(Call(2, InvocationOutcome.Success, ReleaseRole.Canary), 10);
        b.Record(Call(2, InvocationOutcome.Error, ReleaseRole.Canary), 10);
        _time.Advance(TimeSpan.FromSeconds(1));

        await a.PublishAsync();
        await b.PublishAsync();
        await a.PublishAsync();

        var stable = a.Cluster.GetSample("hello", 1, Minute)!;
        var canary = a.Cluster.GetSample("hello", 2, Minute)!;
        Assert.AreEqual((1010L, 5L), (stable.Requests, stable.Errors), "stable: A's 1000 + B's 10 requests, B's 5 errors");
        Assert.AreEqual(5.0 / 1010, (double)stable.Errors / stable.Requests, 1e-12, "not the average of 0 and 0.5");
        Assert.AreEqual((20L, 10L), (canary.Requests, canary.Errors), "the canary only B served is judged on B's numbers");
        Assert.AreEqual(1010L, stable.WarmLatencyCounts.Sum(), "the latency histograms add up too");
        Assert.AreEqual((1000L, 0L), (a.Health.GetSample("hello", 1, Minute)!.Requests, a.Health.GetSample("hello", 1, Minute)!.Errors), "this node's own figures stay its own");
        Assert.IsNull(a.Health.GetSample("hello", 2, Minute), "node A never served the canary");
    }

    [TestMethod]
    public async Task GetSummary_TwoNodes_AddsUpEveryWindowAndNamesTheNodes()
    {
        var a = Node("node-a");
        var b = Node("node-b");
        a.Record(Call(1, InvocationOutcome.Success), 1000);
        b.Record(Call(1, InvocationOutcome.Error), 5);
        b.Record(Call(1, InvocationOutcome.Success), 5);
        b.Record(Call(2, InvocationOutcome.Error, ReleaseRole.Canary), 3);
        _time.Advance(TimeSpan.FromSeconds(1));
        await b.PublishAsync();
        await a.PublishAsync();

        var summary = a.Cluster.GetSummary();

        Assert.AreEqual("cluster", summary.Scope);
        CollectionAssert.AreEqual(new[] { "node-a", "node-b" }, summary.Nodes.Select(n => n.NodeId).ToArray());
        var hello = summary.Functions.Single();
        var minute = hello.Windows.Single(w => w.Window == "1m");
        Assert.AreEqual((1013L, 8L), (minute.Requests, minute.Errors));
        var canary = hello.Versions.Single(v => v.Version == 2);
        Assert.AreEqual("canary", canary.Role, "node A's release names it, though only B served it");
        Assert.AreEqual(3, canary.Windows.Single(w => w.Window == "1m").Requests);
        Assert.AreEqual(1000, a.Health.GetSummary().Functions.Single().Windows.Single(w => w.Window == "1m").Requests, "scope=node stays this node's");
    }

    [TestMethod]
    public async Task GetSample_NodeStoppedPublishing_LeavesTheSumsAfterNodeGoneAfter()
    {
        var a = Node("node-a");
        var b = Node("node-b");
        a.Record(Call(1, InvocationOutcome.Success), 100);
        b.Record(Call(1, InvocationOutcome.Error), 50);
        _time.Advance(TimeSpan.FromSeconds(1));
        await b.PublishAsync();
        await a.PublishAsync();
        Assert.AreEqual(150, a.Cluster.GetSample("hello", 1, Minute)!.Requests, "both nodes counted while B publishes");

        // B is gone (killed, cut off): A keeps publishing; after NodeGoneAfter (30 s) without a word from B, its counts leave.
        for (var i = 0; i < 16; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            await a.PublishAsync();
        }

        var sample = a.Cluster.GetSample("hello", 1, Minute)!;
        Assert.AreEqual((100L, 0L), (sample.Requests, sample.Errors));
        Assert.AreEqual("node-a", a.Cluster.GetSummary().Nodes.Single().NodeId);
    }

    [TestMethod]
    public async Task PublishAsync_SeveralTimesASecond_PublishesEachSecondOnce()
    {
        var a = Node("node-a");
        var b = Node("node-b");
        a.Record(Call(1, InvocationOutcome.Success), 5);
        _time.Advance(TimeSpan.FromSeconds(1));
        await a.PublishAsync();
        a.Record(Call(1, InvocationOutcome.Success), 3);
        await a.PublishAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        await a.PublishAsync();
        await a.PublishAsync();

        await b.PublishAsync();

        Assert.AreEqual(8, b.Cluster.GetSample("hello", 1, Minute)!.Requests);
    }

    [TestMethod]
    public async Task PublishAsync_StoreUnreachable_NeverThrowsAndKeepsThisNodesOwnFigures()
    {
        var broken = Node("node-c", UnreachableStore(new ServiceCollection()));
        broken.Record(Call(1, InvocationOutcome.Error), 4);
        _time.Advance(TimeSpan.FromSeconds(1));

        await broken.PublishAsync();
        await broken.PublishAsync();

        var sample = broken.Cluster.GetSample("hello", 1, Minute)!;
        Assert.AreEqual((4L, 4L), (sample.Requests, sample.Errors), "the guard still sees this node's calls");
        Assert.IsNull(broken.Cluster.GetSummary().ReadAt, "nothing read from the store");
    }

    [TestMethod]
    public void Validate_IntervalOverHalfOfNodeGoneAfter_FailsNamingBoth()
    {
        var needle = Options.Create(new global::Needle.Hosting.NeedleOptions { NodeGoneAfter = TimeSpan.FromSeconds(15) });
        var slow = new NeedleObservabilityOptions { HealthPublishInterval = TimeSpan.FromSeconds(10) };
        var tooFast = new NeedleObservabilityOptions { HealthPublishInterval = TimeSpan.FromMilliseconds(10) };

        var result = new NeedleObservabilityOptionsValidator(needle).Validate(null, slow);
        var fast = new NeedleObservabilityOptionsValidator(needle).Validate(null, tooFast);

        Assert.IsTrue(result.Failed);
        StringAssert.Contains(result.FailureMessage, "HealthPublishInterval");
        StringAssert.Contains(result.FailureMessage, "NodeGoneAfter");
        Assert.IsTrue(fast.Failed);
        StringAssert.Contains(fast.FailureMessage, "HealthPublishInterval");
        Assert.IsTrue(new NeedleObservabilityOptionsValidator(Options.Create(new global::Needle.Hosting.NeedleOptions())).Validate(null, new NeedleObservabilityOptions()).Succeeded, "the defaults pass");
    }

    private static InvocationRecord Call(int version, InvocationOutcome outcome, ReleaseRole role = ReleaseRole.Stable) =>
        new("hello", version, role, outcome, TimeSpan.FromMilliseconds(5), outcome == InvocationOutcome.Success ? null : "failed");

    private ClusterNode Node(string id, INeedleStore? store = null) => new(id, _time, store ?? _store);

    // A real store whose database cannot be opened: every call fails as it would with the database gone.
    private static INeedleStore UnreachableStore(ServiceCollection services)
    {
        services.AddLogging();
        services.AddNeedle(o => o.UseSqlite(NeedleTestHost.StoreConnectionString(Path.Combine(Path.GetTempPath(), "needle-no-such-folder", Guid.NewGuid().ToString("N")))));
        return services.BuildServiceProvider().GetRequiredService<INeedleStore>();
    }

    /// <summary>One node's health side: its windows, what it serves (hello: stable 1, canary 2), its publisher and reader.</summary>
    private sealed class ClusterNode
    {
        private readonly HealthWindows _windows;
        private readonly HealthPublisher _publisher;

        public ClusterNode(string id, TimeProvider time, INeedleStore store)
        {
            var options = Options.Create(new NeedleObservabilityOptions());
            var serving = new ServingStateStub
            {
                NodeId = id,
                Functions = [new ServedFunction("hello", 1, 2, 10, [1, 2])],
            };
            _windows = new HealthWindows(time, options);
            _publisher = new HealthPublisher(_windows, store, serving, options, Options.Create(new global::Needle.Hosting.NeedleOptions()), NullLogger<HealthPublisher>.Instance);
            var health = new NeedleHealth(_windows, serving, _publisher);
            Health = health;
            Cluster = health;
        }

        public INeedleHealth Health { get; }

        public INeedleClusterHealth Cluster { get; }

        public void Record(InvocationRecord record, int times)
        {
            for (var i = 0; i < times; i++)
            {
                _windows.OnInvocation(in record);
            }
        }

        public Task PublishAsync() => _publisher.PublishAsync(CancellationToken.None);
    }
}
