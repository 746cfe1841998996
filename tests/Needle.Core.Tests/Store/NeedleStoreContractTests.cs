using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Needle.Functions;
using Needle.Store;

namespace Needle.Tests.Store;

/// <summary>
/// What every <see cref="INeedleStore"/> does, whatever the database: each concrete class runs all of it against a real
/// database of its kind (a SQLite file, a PostgreSQL database).
/// </summary>
public abstract partial class NeedleStoreContractTests
{
    // Ticks below the millisecond prove that times round-trip exactly.
    protected static readonly DateTimeOffset Start = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1234567);

    private FakeTimeProvider _time = null!;

    /// <summary>The store's <see cref="NeedleDatabase.Provider"/>.</summary>
    protected abstract string ExpectedProvider { get; }

    /// <summary>How many migrations the store's dialect ships.</summary>
    protected abstract long MigrationCount { get; }

    protected FakeTimeProvider Time => _time;

    [TestInitialize]
    public async Task CreateDatabaseAsync()
    {
        _time = new FakeTimeProvider(Start);
        await CreateEmptyDatabaseAsync();
    }

    [TestCleanup]
    public void DeleteDatabase() => DeleteEmptyDatabase();

    /// <summary>Makes a new empty database for the test.</summary>
    protected abstract Task CreateEmptyDatabaseAsync();

    /// <summary>Removes what <see cref="CreateEmptyDatabaseAsync"/> made.</summary>
    protected virtual void DeleteEmptyDatabase()
    {
    }

    /// <summary>A store on the test's database (not initialised).</summary>
    protected abstract INeedleStore CreateStore(TimeProvider time);

    /// <summary>Runs a scalar query on the test's database.</summary>
    protected abstract Task<long> CountAsync(string sql);

    /// <summary>Lets go of pooled connections, as a process that stops would.</summary>
    protected virtual void ReleaseConnections()
    {
    }

    [TestMethod]
    public async Task InitializeAsync_CalledTwice_AppliesEachMigrationOnce()
    {
        var store = CreateStore();

        await store.InitializeAsync();
        await store.InitializeAsync();

        Assert.AreEqual(MigrationCount, await CountAsync("SELECT COUNT(*) FROM schema_version"));
        Assert.AreEqual(0L, await store.GetRevisionAsync());
    }

    [TestMethod]
    public async Task InitializeAsync_SecondInstanceOnSameFile_KeepsData()
    {
        var first = await CreateInitializedStoreAsync();
        await first.AddVersionAsync(Deploy("hello"));

        var second = CreateStore();
        await second.InitializeAsync();

        Assert.AreEqual(MigrationCount, await CountAsync("SELECT COUNT(*) FROM schema_version"));
        Assert.AreEqual(1L, await second.GetRevisionAsync());
        Assert.IsNotNull(await second.GetFunctionAsync("hello"));
    }

    [TestMethod]
    public async Task InitializeAsync_ManyInstancesAtOnce_AppliesEachMigrationOnce()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => CreateStore()).ToList();

        await Task.WhenAll(stores.Select(store => Task.Run(() => store.InitializeAsync())));

        Assert.AreEqual(MigrationCount, await CountAsync("SELECT COUNT(*) FROM schema_version"));
        Assert.AreEqual(1L, await CountAsync("SELECT COUNT(*) FROM revision"));
    }

    [TestMethod]
    public async Task AddVersionAsync_FirstDeploy_CreatesFunctionAndVersionOne()
    {
        var store = await CreateInitializedStoreAsync();
        var manifest = new FunctionManifest
        {
            Name = "hello",
            Route = "/hello/{id}",
            Methods = ["GET"],
            Limits = new FunctionLimits { TimeoutMs = 250 },
            Config = new JsonObject { ["greeting"] = "hi" },
        };

        var result = await store.AddVersionAsync(Deploy("hello", manifest: manifest, parent: null));

        var version = await store.GetVersionAsync("hello", 1);
        Assert.IsNotNull(version);
        Assert.AreEqual(1, result.Version.Number);
        Assert.AreEqual("export default () => 'hello'", version.Source);
        Assert.AreEqual("hash-hello", version.ContentHash);
        Assert.AreEqual("alice", version.Author);
        Assert.AreEqual(Start, version.CreatedAt);
        Assert.AreEqual(TimeSpan.Zero, version.CreatedAt.Offset);
        Assert.IsNull(version.ParentNumber);
        Assert.AreEqual("/hello/{id}", version.Manifest.Route);
        CollectionAssert.AreEqual(new[] { "GET" }, version.Manifest.Methods!.ToArray());
        Assert.AreEqual(250, version.Manifest.Limits!.TimeoutMs);
        Assert.AreEqual("hi", (string?)version.Manifest.Config!["greeting"]);
        var function = await store.GetFunctionAsync("hello");
        Assert.IsNotNull(function);
        Assert.AreEqual(Start, function.CreatedAt);
        Assert.AreEqual(1, function.LatestVersion);
    }

    [TestMethod]
    public async Task ListVersionsAsync_ThreeDeploys_NewestFirst()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        await store.AddVersionAsync(Deploy("hello", activate: false));
        await store.AddVersionAsync(Deploy("hello", activate: false, parent: 1));

        var versions = await store.ListVersionsAsync("hello");

        CollectionAssert.AreEqual(new[] { 3, 2, 1 }, versions.Select(v => v.Number).ToArray());
        Assert.AreEqual(1, versions[0].ParentNumber);
        Assert.IsNull(await store.GetVersionAsync("hello", 4));
        Assert.IsEmpty(await store.ListVersionsAsync("nobody"));
    }

    [TestMethod]
    public async Task AddVersionAsync_UnknownParent_ThrowsAndAddsNothing()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));

        var error = await Assert.ThrowsExactlyAsync<NeedleNotFoundException>(
            () => store.AddVersionAsync(Deploy("hello", parent: 9)));

        Assert.AreEqual("Function 'hello' has no version 9.", error.Message);
        Assert.HasCount(1, await store.ListVersionsAsync("hello"));
        Assert.AreEqual(1L, await store.GetRevisionAsync());
    }

    [TestMethod]
    public async Task AddVersionAsync_Activate_WritesReleaseRevisionAndAudit()
    {
        var store = await CreateInitializedStoreAsync();

        var result = await store.AddVersionAsync(Deploy("hello", reason: "first"));

        Assert.AreEqual(1L, result.Revision);
        Assert.IsNotNull(result.Release);
        Assert.AreEqual(1, result.Release.StableVersion);
        Assert.IsNull(result.Release.CanaryVersion);
        Assert.AreEqual(0d, result.Release.CanaryWeight);
        Assert.AreEqual("deploy", result.Release.Action);
        Assert.AreEqual(1L, result.Release.Revision);
        Assert.AreEqual("alice", result.Release.Actor);
        Assert.AreEqual("first", result.Release.Reason);
        Assert.AreEqual(Start, result.Release.CreatedAt);
        Assert.AreEqual(1L, await store.GetRevisionAsync());
        Assert.AreEqual(result.Release, (await store.GetFunctionAsync("hello"))!.Release);
        var audit = (await store.ListAuditAsync(new AuditQuery())).Single();
        Assert.AreEqual("deploy", audit.Action);
        Assert.AreEqual("hello", audit.Function);
        Assert.AreEqual(1, audit.Version);
        Assert.AreEqual(1L, audit.Revision);
        Assert.AreEqual("first", audit.Reason);
        Assert.AreEqual(Start, audit.At);
    }

    [TestMethod]
    public async Task AddVersionAsync_NotActivated_KeepsRevisionAndRelease()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));

        var result = await store.AddVersionAsync(Deploy("hello", activate: false));

        Assert.AreEqual(2, result.Version.Number);
        Assert.IsNull(result.Release);
        Assert.AreEqual(1L, result.Revision);
        Assert.AreEqual(1L, await store.GetRevisionAsync());
        Assert.HasCount(1, await store.ListReleasesAsync("hello", 10));
        var function = await store.GetFunctionAsync("hello");
        Assert.AreEqual(2, function!.LatestVersion);
        Assert.AreEqual(1, function.Release!.StableVersion);
        var audit = await store.ListAuditAsync(new AuditQuery());
        Assert.AreEqual("deploy", audit[0].Action);
        Assert.AreEqual(2, audit[0].Version);
        Assert.IsNull(audit[0].Revision);
    }

    [TestMethod]
    public async Task AddVersionAsync_NotActivatedFirstDeploy_HasNoRelease()
    {
        var store = await CreateInitializedStoreAsync();

        await store.AddVersionAsync(Deploy("hello", activate: false));

        Assert.IsNull((await store.GetFunctionAsync("hello"))!.Release);
        Assert.IsEmpty((await store.GetReleaseStateAsync()).Functions);
        Assert.AreEqual(0L, await store.GetRevisionAsync());
    }

    [TestMethod]
    public async Task AddVersionAsync_TwentyInParallel_NumbersAreDistinctOneToTwenty()
    {
        var store = await CreateInitializedStoreAsync();

        var results = await Task.WhenAll(
            Enumerable.Range(0, 20).Select(_ => Task.Run(() => store.AddVersionAsync(Deploy("hello")))));

        CollectionAssert.AreEquivalent(Enumerable.Range(1, 20).ToArray(), results.Select(r => r.Version.Number).ToArray());
        CollectionAssert.AreEquivalent(Enumerable.Range(1, 20).Select(i => (long)i).ToArray(), results.Select(r => r.Revision).ToArray());
        Assert.AreEqual(20L, await store.GetRevisionAsync());
        var function = await store.GetFunctionAsync("hello");
        Assert.AreEqual(20, function!.LatestVersion);

        // Writers were serialised, so the last release written serves the last version at the last revision.
        Assert.AreEqual(20, function.Release!.StableVersion);
        Assert.AreEqual(20L, function.Release.Revision);
        Assert.HasCount(20, await store.ListReleasesAsync("hello", 100));
    }

    [TestMethod]
    public async Task SetReleaseAsync_Canary_WritesRowBumpsRevisionAndAudits()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        await store.AddVersionAsync(Deploy("hello", activate: false));
        Time.Advance(TimeSpan.FromMinutes(1));

        var release = await store.SetReleaseAsync(new ReleaseChange("hello", 1, 2, 12.5, "canary", "bob", "try it"));

        Assert.AreEqual(1, release.StableVersion);
        Assert.AreEqual(2, release.CanaryVersion);
        Assert.AreEqual(12.5, release.CanaryWeight);
        Assert.AreEqual("canary", release.Action);
        Assert.AreEqual(2L, release.Revision);
        Assert.AreEqual(Start.AddMinutes(1), release.CreatedAt);
        Assert.AreEqual(2L, await store.GetRevisionAsync());
        Assert.AreEqual(release, (await store.GetFunctionAsync("hello"))!.Release);
        var audit = (await store.ListAuditAsync(new AuditQuery(Limit: 1))).Single();
        Assert.AreEqual("canary", audit.Action);
        Assert.AreEqual("bob", audit.Actor);
        Assert.AreEqual("try it", audit.Reason);
        Assert.AreEqual(2L, audit.Revision);
        Assert.AreEqual(2, audit.Version);
    }

    [TestMethod]
    public async Task SetReleaseAsync_UnknownStableVersion_ThrowsAndChangesNothing()
    {
        var store = await CreateInitializedStoreAsync();
        var deployed = await store.AddVersionAsync(Deploy("hello"));

        var error = await Assert.ThrowsExactlyAsync<NeedleNotFoundException>(
            () => store.SetReleaseAsync(new ReleaseChange("hello", 7, null, 0, "activate", "bob", null)));

        Assert.AreEqual("Function 'hello' has no version 7.", error.Message);
        await AssertUnchangedAsync(store, deployed.Release!);
    }

    [TestMethod]
    public async Task SetReleaseAsync_UnknownCanaryVersion_ThrowsAndChangesNothing()
    {
        var store = await CreateInitializedStoreAsync();
        var deployed = await store.AddVersionAsync(Deploy("hello"));

        var error = await Assert.ThrowsExactlyAsync<NeedleNotFoundException>(
            () => store.SetReleaseAsync(new ReleaseChange("hello", 1, 3, 10, "canary", "bob", null)));

        Assert.AreEqual("Function 'hello' has no version 3.", error.Message);
        await AssertUnchangedAsync(store, deployed.Release!);
    }

    [TestMethod]
    public async Task SetReleaseAsync_UnknownFunction_ThrowsAndChangesNothing()
    {
        var store = await CreateInitializedStoreAsync();
        var deployed = await store.AddVersionAsync(Deploy("hello"));

        var error = await Assert.ThrowsExactlyAsync<NeedleNotFoundException>(
            () => store.SetReleaseAsync(new ReleaseChange("nobody", 1, null, 0, "activate", "bob", null)));

        Assert.AreEqual("Function 'nobody' does not exist.", error.Message);
        await AssertUnchangedAsync(store, deployed.Release!);
        Assert.IsNull(await store.GetFunctionAsync("nobody"));
    }

    [TestMethod]
    public async Task SetReleaseAsync_DeletedFunction_Throws()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        await store.DeleteFunctionAsync("hello", "bob", null);

        await Assert.ThrowsExactlyAsync<NeedleNotFoundException>(
            () => store.SetReleaseAsync(new ReleaseChange("hello", 1, null, 0, "activate", "bob", null)));

        Assert.AreEqual(2L, await store.GetRevisionAsync());
        Assert.IsNull(await store.GetFunctionAsync("hello"));
    }

    [TestMethod]
    [DataRow(-1d)]
    [DataRow(100.5d)]
    [DataRow(double.NaN)]
    public async Task SetReleaseAsync_WeightOutOfRange_ThrowsAndChangesNothing(double weight)
    {
        var store = await CreateInitializedStoreAsync();
        var deployed = await store.AddVersionAsync(Deploy("hello"));
        await store.AddVersionAsync(Deploy("hello", activate: false));

        await Assert.ThrowsExactlyAsync<ArgumentOutOfRangeException>(
            () => store.SetReleaseAsync(new ReleaseChange("hello", 1, 2, weight, "canary", "bob", null)));

        await AssertUnchangedAsync(store, deployed.Release!);
    }

    [TestMethod]
    public async Task ListReleasesAsync_SeveralChanges_NewestFirstUpToLimit()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        await store.AddVersionAsync(Deploy("hello", activate: false));
        await store.SetReleaseAsync(new ReleaseChange("hello", 1, 2, 10, "canary", "bob", null));
        await store.SetReleaseAsync(new ReleaseChange("hello", 2, null, 0, "promote", "bob", null));
        await store.AddVersionAsync(Deploy("other"));

        var all = await store.ListReleasesAsync("hello", 100);
        var two = await store.ListReleasesAsync("hello", 2);

        CollectionAssert.AreEqual(new[] { "promote", "canary", "deploy" }, all.Select(r => r.Action).ToArray());
        CollectionAssert.AreEqual(new[] { 3L, 2L, 1L }, all.Select(r => r.Revision).ToArray());
        CollectionAssert.AreEqual(all.Take(2).ToArray(), two.ToArray());
    }

    [TestMethod]
    public async Task DeleteFunctionAsync_Active_RemovesItFromServingStateAndList()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        await store.AddVersionAsync(Deploy("other"));

        var revision = await store.DeleteFunctionAsync("hello", "bob", "gone");

        Assert.AreEqual(3L, revision);
        var state = await store.GetReleaseStateAsync();
        Assert.AreEqual(3L, state.Revision);
        CollectionAssert.AreEqual(new[] { "other" }, state.Functions.Select(f => f.Release.Function).ToArray());
        CollectionAssert.AreEqual(new[] { "other" }, (await store.ListFunctionsAsync()).Select(f => f.Name).ToArray());
        Assert.IsNull(await store.GetFunctionAsync("hello"));
        Assert.IsNotNull(await store.GetVersionAsync("hello", 1));
        var audit = (await store.ListAuditAsync(new AuditQuery(Limit: 1))).Single();
        Assert.AreEqual("delete", audit.Action);
        Assert.AreEqual("hello", audit.Function);
        Assert.AreEqual(3L, audit.Revision);
        Assert.AreEqual("gone", audit.Reason);
    }

    [TestMethod]
    public async Task DeleteFunctionAsync_UnknownOrAlreadyDeleted_Throws()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        await store.DeleteFunctionAsync("hello", "bob", null);

        await Assert.ThrowsExactlyAsync<NeedleNotFoundException>(() => store.DeleteFunctionAsync("hello", "bob", null));
        await Assert.ThrowsExactlyAsync<NeedleNotFoundException>(() => store.DeleteFunctionAsync("nobody", "bob", null));

        Assert.AreEqual(2L, await store.GetRevisionAsync());
    }

    [TestMethod]
    public async Task AddVersionAsync_AfterDelete_ContinuesNumbering()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        await store.AddVersionAsync(Deploy("hello"));
        await store.DeleteFunctionAsync("hello", "bob", null);

        var result = await store.AddVersionAsync(Deploy("hello"));

        Assert.AreEqual(3, result.Version.Number);
        Assert.AreEqual(4L, result.Revision);
        var function = await store.GetFunctionAsync("hello");
        Assert.AreEqual(3, function!.LatestVersion);
        Assert.AreEqual(Start, function.CreatedAt);
        Assert.AreEqual(3, (await store.GetReleaseStateAsync()).Functions.Single().Stable.Number);
    }

    [TestMethod]
    public async Task AddVersionAsync_NotActivatedAfterDelete_DoesNotBringBackTheOldRelease()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        await store.DeleteFunctionAsync("hello", "bob", null);

        var result = await store.AddVersionAsync(Deploy("hello", activate: false));

        Assert.AreEqual(2, result.Version.Number);
        Assert.AreEqual(2L, result.Revision);
        Assert.IsNull((await store.GetFunctionAsync("hello"))!.Release);
        Assert.IsEmpty((await store.GetReleaseStateAsync()).Functions);
        Assert.HasCount(1, await store.ListReleasesAsync("hello", 10));
    }

    [TestMethod]
    public async Task GetReleaseStateAsync_SeveralFunctions_HasLatestReleasesWithVersions()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("alpha"));
        await store.AddVersionAsync(Deploy("alpha", activate: false));
        await store.SetReleaseAsync(new ReleaseChange("alpha", 1, 2, 25, "canary", "bob", null));
        await store.AddVersionAsync(Deploy("beta"));
        await store.AddVersionAsync(Deploy("gamma", activate: false));

        var state = await store.GetReleaseStateAsync();

        Assert.AreEqual(await store.GetRevisionAsync(), state.Revision);
        Assert.AreEqual(3L, state.Revision);
        CollectionAssert.AreEqual(new[] { "alpha", "beta" }, state.Functions.Select(f => f.Release.Function).ToArray());
        var alpha = state.Functions[0];
        Assert.AreEqual("canary", alpha.Release.Action);
        Assert.AreEqual("alpha@1", alpha.Stable.Label);
        Assert.AreEqual("alpha@2", alpha.Canary!.Label);
        Assert.AreEqual(25d, alpha.Release.CanaryWeight);
        var beta = state.Functions[1];
        Assert.AreEqual("beta@1", beta.Stable.Label);
        Assert.IsNull(beta.Canary);
        Assert.AreEqual("export default () => 'beta'", beta.Stable.Source);
    }

    [TestMethod]
    public async Task GetReleaseStateAsync_WhileDeploying_RevisionMatchesRows()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        var deploying = Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                await store.AddVersionAsync(Deploy("hello"));
            }
        });

        var states = new List<ReleaseState>();
        while (!deploying.IsCompleted)
        {
            states.Add(await store.GetReleaseStateAsync());
        }

        await deploying;
        states.Add(await store.GetReleaseStateAsync());

        // Every deploy activates, so in a consistent snapshot the revision equals the stable version.
        foreach (var state in states)
        {
            var release = state.Functions.Single();
            Assert.AreEqual(state.Revision, release.Release.Revision);
            Assert.AreEqual(state.Revision, (long)release.Stable.Number);
        }

        Assert.AreEqual(31L, states[^1].Revision);
    }

    [TestMethod]
    public async Task ListFunctionsAsync_SeveralFunctions_SortedWithCurrentRelease()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("beta"));
        await store.AddVersionAsync(Deploy("alpha", activate: false));
        await store.AddVersionAsync(Deploy("beta"));

        var functions = await store.ListFunctionsAsync();

        CollectionAssert.AreEqual(new[] { "alpha", "beta" }, functions.Select(f => f.Name).ToArray());
        Assert.IsNull(functions[0].Release);
        Assert.AreEqual(2, functions[1].Release!.StableVersion);
        Assert.AreEqual(2, functions[1].LatestVersion);
    }

    [TestMethod]
    public async Task ListAuditAsync_BeforeId_PagesNewestFirst()
    {
        var store = await CreateInitializedStoreAsync();
        for (var i = 1; i <= 5; i++)
        {
            await store.AppendAuditAsync(new AuditEntry("bob", "note", "hello", i, null, $"event {i}"));
        }

        await store.AppendAuditAsync(new AuditEntry("bob", "note", "other", null, null, "elsewhere"));

        var first = await store.ListAuditAsync(new AuditQuery("hello", 2));
        var second = await store.ListAuditAsync(new AuditQuery("hello", 2, first[^1].Id));
        var third = await store.ListAuditAsync(new AuditQuery("hello", 2, second[^1].Id));

        CollectionAssert.AreEqual(new[] { 5, 4 }, first.Select(e => e.Version!.Value).ToArray());
        CollectionAssert.AreEqual(new[] { 3, 2 }, second.Select(e => e.Version!.Value).ToArray());
        CollectionAssert.AreEqual(new[] { 1 }, third.Select(e => e.Version!.Value).ToArray());
        Assert.HasCount(6, await store.ListAuditAsync(new AuditQuery()));
        Assert.HasCount(1, await store.ListAuditAsync(new AuditQuery(Limit: 0)));
    }

    [TestMethod]
    public async Task AppendAuditAsync_Entry_IsStoredWithoutRevision()
    {
        var store = await CreateInitializedStoreAsync();

        await store.AppendAuditAsync(new AuditEntry("bob", "deploy-failed", "hello", null, "try", "SyntaxError at 1:3"));

        var audit = (await store.ListAuditAsync(new AuditQuery())).Single();
        Assert.AreEqual(new AuditEvent(audit.Id, Start, "bob", "deploy-failed", "hello", null, null, "try", "SyntaxError at 1:3"), audit);
        Assert.AreEqual(0L, await store.GetRevisionAsync());
        Assert.IsNull(await store.GetFunctionAsync("hello"));
    }

    [TestMethod]
    public async Task ReportNodeAsync_SameNodeTwice_UpdatesIt()
    {
        var store = await CreateInitializedStoreAsync();
        await store.ReportNodeAsync("node-a", 1);
        await store.ReportNodeAsync("node-b", 1);
        Time.Advance(TimeSpan.FromSeconds(5));

        await store.ReportNodeAsync("node-a", 2);

        var nodes = await store.ListNodesAsync();
        CollectionAssert.AreEqual(
            new[] { new NodeRecord("node-a", 2, Start.AddSeconds(5)), new NodeRecord("node-b", 1, Start) },
            nodes.ToArray());
    }

    [TestMethod]
    public async Task HeartbeatNodeAsync_ThenReport_KeepsWhatTheNodeServesAndMovesItsTime()
    {
        var store = await CreateInitializedStoreAsync();
        await store.ReportNodeAsync("node-a", 1);
        Time.Advance(TimeSpan.FromSeconds(5));

        await store.HeartbeatNodeAsync("node-a", 2, "hello=1+2,shop=3!", "test-instance");
        await store.HeartbeatNodeAsync("node-b", 2, "", "test-instance");
        Time.Advance(TimeSpan.FromSeconds(5));
        await store.ReportNodeAsync("node-b", 3);

        var nodes = await store.ListNodesAsync();
        CollectionAssert.AreEqual(
            new[] { new NodeRecord("node-a", 2, Start.AddSeconds(5), "hello=1+2,shop=3!"), new NodeRecord("node-b", 3, Start.AddSeconds(10)) },
            nodes.ToArray());
    }

    [TestMethod]
    public async Task ForgetNodesAsync_CutOff_DeletesOnlyTheNodesReportedBeforeIt()
    {
        var store = await CreateInitializedStoreAsync();
        await store.HeartbeatNodeAsync("old", 1, "hello=1", "test-instance");
        Time.Advance(TimeSpan.FromHours(2));
        await store.HeartbeatNodeAsync("recent", 1, "hello=1", "test-instance");

        var forgotten = await store.ForgetNodesAsync(Start.AddHours(1));

        Assert.AreEqual(1, forgotten);
        Assert.AreEqual("recent", (await store.ListNodesAsync()).Single().NodeId);
    }

    [TestMethod]
    public async Task HeartbeatNodeAsync_TwoInstancesOnOneNodeId_ReturnsTheInstanceThatWroteBefore()
    {
        var store = await CreateInitializedStoreAsync();

        var first = await store.HeartbeatNodeAsync("node-a", 1, "hello=1", "one");
        var own = await store.HeartbeatNodeAsync("node-a", 1, "hello=1", "one");
        var other = await store.HeartbeatNodeAsync("node-a", 1, "hello=1", "two");
        var reported = await store.HeartbeatNodeAsync("node-b", 1, "hello=1", "three");

        Assert.IsNull(first, "a new row");
        Assert.AreEqual("one", own);
        Assert.AreEqual("one", other, "the second process sees the first one's instance");
        Assert.IsNull(reported);
        Assert.AreEqual(2, (await store.ListNodesAsync()).Count);
    }

    [TestMethod]
    public async Task ForgetNodeAsync_OneNode_DeletesOnlyThatNodesRow()
    {
        var store = await CreateInitializedStoreAsync();
        await store.HeartbeatNodeAsync("leaving", 1, "hello=1", "test-instance");
        await store.HeartbeatNodeAsync("staying", 1, "hello=1", "test-instance");

        var first = await store.ForgetNodeAsync("leaving");
        var again = await store.ForgetNodeAsync("leaving");

        Assert.IsTrue(first);
        Assert.IsFalse(again, "nothing left to delete");
        Assert.AreEqual("staying", (await store.ListNodesAsync()).Single().NodeId);
    }

    [TestMethod]
    public async Task InitializeAsync_ReopenedStore_ReadsEverythingBack()
    {
        var first = await CreateInitializedStoreAsync();
        await first.AddVersionAsync(Deploy("hello"));
        await first.AddVersionAsync(Deploy("hello", activate: false));
        await first.SetReleaseAsync(new ReleaseChange("hello", 1, 2, 50, "canary", "bob", "half"));
        await first.ReportNodeAsync("node-a", 2);
        var before = await first.GetReleaseStateAsync();
        ReleaseConnections();

        var reopened = CreateStore();
        await reopened.InitializeAsync();

        var after = await reopened.GetReleaseStateAsync();
        Assert.AreEqual(before.Revision, after.Revision);
        Assert.AreEqual(before.Functions.Single().Release, after.Functions.Single().Release);
        Assert.AreEqual(before.Functions.Single().Canary!.Label, after.Functions.Single().Canary!.Label);
        Assert.HasCount(2, await reopened.ListVersionsAsync("hello"));
        Assert.HasCount(3, await reopened.ListAuditAsync(new AuditQuery()));
        Assert.AreEqual(new NodeRecord("node-a", 2, Start), (await reopened.ListNodesAsync()).Single());
    }

    [TestMethod]
    public async Task GetNextVersionNumberAsync_NewDeployedAndDeleted_CountsOnFromTheHighestEver()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        await store.AddVersionAsync(Deploy("hello"));
        await store.DeleteFunctionAsync("hello", "bob", null);

        var unknown = await store.GetNextVersionNumberAsync("nobody");
        var deleted = await store.GetNextVersionNumberAsync("hello");

        Assert.AreEqual(1, unknown);
        Assert.AreEqual(3, deleted);
        Assert.AreEqual(3, (await store.AddVersionAsync(Deploy("hello") with { ExpectedNumber = deleted })).Version.Number);
    }

    [TestMethod]
    public async Task AddVersionAsync_ExpectedNumberTaken_ThrowsConflictAndAddsNothing()
    {
        var store = await CreateInitializedStoreAsync();
        var deployed = await store.AddVersionAsync(Deploy("hello"));
        var expected = await store.GetNextVersionNumberAsync("hello");
        await store.AddVersionAsync(Deploy("hello", activate: false));

        await Assert.ThrowsExactlyAsync<NeedleConflictException>(
            () => store.AddVersionAsync(Deploy("hello") with { ExpectedNumber = expected }));

        Assert.HasCount(2, await store.ListVersionsAsync("hello"));
        await AssertUnchangedAsync(store, deployed.Release!);
    }

    [TestMethod]
    public async Task AddVersionAsync_ExpectedReleaseReplaced_ThrowsConflictAndAddsNothing()
    {
        var store = await CreateInitializedStoreAsync();
        var first = await store.AddVersionAsync(Deploy("hello"));
        var second = await store.AddVersionAsync(Deploy("hello"));

        await Assert.ThrowsExactlyAsync<NeedleConflictException>(
            () => store.AddVersionAsync(Deploy("hello") with { ExpectedReleaseId = first.Release!.Id }));

        Assert.HasCount(2, await store.ListVersionsAsync("hello"));
        Assert.AreEqual(second.Release, (await store.GetFunctionAsync("hello"))!.Release);
        Assert.AreEqual(second.Revision, await store.GetRevisionAsync());
    }

    [TestMethod]
    public async Task AddVersionAsync_KillSwitchAndDetailGiven_WritesWhatItWasGivenAndNothingElse()
    {
        var store = await CreateInitializedStoreAsync();
        var fallback = new Needle.Releases.FallbackResponse(503, "\"paused\"");
        await store.AddVersionAsync(Deploy("hello") with { KillSwitch = fallback });

        // The store carries nothing over by itself: the caller says what the new release keeps.
        var next = await store.AddVersionAsync(Deploy("hello") with { AuditDetail = "my words" });

        Assert.IsNull(next.Release!.KillSwitch);
        Assert.AreEqual(503, (await store.ListReleasesAsync("hello", 10))[1].KillSwitch!.Status);
        Assert.AreEqual("my words", (await store.ListAuditAsync(new AuditQuery(Limit: 1))).Single().Detail);
    }

    [TestMethod]
    public async Task RecordPatchAsync_SameKeyTwice_KeepsTheFirstResultAndAuditsBoth()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        var audit = new AuditEntry("alice", "patch", "hello", 2, "hotfix", "kind=source");

        await store.RecordPatchAsync(new AppliedPatch("hello", "key-1", "source", 1, 2, 2), audit);
        await store.RecordPatchAsync(new AppliedPatch("hello", "key-1", "config", 2, 3, 3), audit);

        Assert.AreEqual(new AppliedPatch("hello", "key-1", "source", 1, 2, 2), await store.FindPatchAsync("hello", "key-1"));
        Assert.IsNull(await store.FindPatchAsync("hello", "key-2"));
        Assert.IsNull(await store.FindPatchAsync("other", "key-1"));
        Assert.AreEqual(2, (await store.ListAuditAsync(new AuditQuery("hello"))).Count(e => e.Action == "patch"));
    }

    protected static NewVersion Deploy(
        string function,
        bool activate = true,
        string? reason = null,
        int? parent = null,
        FunctionManifest? manifest = null) =>
        new(
            function,
            $"export default () => '{function}'",
            manifest ?? new FunctionManifest { Name = function },
            $"hash-{function}",
            "alice",
            activate,
            reason,
            parent);

    [TestMethod]
    public async Task GetArtifactAsync_AfterSave_ReturnsTheImage()
    {
        var store = await CreateInitializedStoreAsync();
        byte[] image = [1, 2, 3, 4];

        await store.SaveArtifactAsync("key-1", "csharp", image);

        CollectionAssert.AreEqual(image, await store.GetArtifactAsync("key-1"));
        Assert.IsNull(await store.GetArtifactAsync("key-2"));
    }

    [TestMethod]
    public async Task SaveArtifactAsync_SameKeyTwice_KeepsTheFirstImage()
    {
        var store = await CreateInitializedStoreAsync();

        await store.SaveArtifactAsync("key-1", "csharp", [1]);
        await store.SaveArtifactAsync("key-1", "csharp", [2]);

        CollectionAssert.AreEqual(new byte[] { 1 }, await store.GetArtifactAsync("key-1"));
        Assert.AreEqual(1L, await CountAsync("SELECT COUNT(*) FROM artifacts"));
    }

    [TestMethod]
    public async Task SetReleaseAsync_ExpectedReleaseReplaced_ThrowsConflictAndChangesNothing()
    {
        var store = await CreateInitializedStoreAsync();
        var first = (await store.AddVersionAsync(Deploy("hello"))).Release!;
        await store.AddVersionAsync(Deploy("hello", activate: false));
        var promoted = await store.SetReleaseAsync(first.Change("canary", "alice", null) with { CanaryVersion = 2, CanaryWeight = 10 });

        await Assert.ThrowsExactlyAsync<NeedleConflictException>(
            () => store.SetReleaseAsync(first.Change("rollback", "bob", null)));

        Assert.AreEqual(promoted, (await store.GetFunctionAsync("hello"))!.Release);
        Assert.AreEqual(promoted.Revision, await store.GetRevisionAsync());
    }

    [TestMethod]
    public async Task SetReleaseAsync_TenOperatorsFromOneRelease_OneWinsTheOthersConflict()
    {
        var store = await CreateInitializedStoreAsync();
        var first = (await store.AddVersionAsync(Deploy("hello"))).Release!;
        await store.AddVersionAsync(Deploy("hello", activate: false));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.SetReleaseAsync(first.Change("canary", $"operator-{i}", null) with { CanaryVersion = 2, CanaryWeight = i + 1 });
                return true;
            }
            catch (NeedleConflictException)
            {
                return false;
            }
        })));

        Assert.AreEqual(1, attempts.Count(won => won));
        Assert.HasCount(2, await store.ListReleasesAsync("hello", 10));
        Assert.AreEqual(first.Revision + 1, await store.GetRevisionAsync());
    }

    [TestMethod]
    public async Task SetReleaseAsync_KillSwitchAndPins_AreReadBackAsWritten()
    {
        var store = await CreateInitializedStoreAsync();
        var first = (await store.AddVersionAsync(Deploy("hello"))).Release!;
        await store.AddVersionAsync(Deploy("hello", activate: false));
        var fallback = new Needle.Releases.FallbackResponse(503, "{\"paused\":true}", "application/json", new Dictionary<string, string> { ["Retry-After"] = "30" });

        await store.SetReleaseAsync(first.Change("kill", "alice", "incident") with { CanaryVersion = 2, CanaryWeight = 12.5, Pins = ["u-1", "u-2"], KillSwitch = fallback });

        var release = (await store.GetReleaseStateAsync()).Functions.Single().Release;
        Assert.AreEqual(12.5, release.CanaryWeight);
        CollectionAssert.AreEqual(new[] { "u-1", "u-2" }, release.Pins!.ToArray());
        Assert.AreEqual((503, "{\"paused\":true}", "application/json"), (release.KillSwitch!.Status, release.KillSwitch.Body, release.KillSwitch.ContentType));
        Assert.AreEqual("30", release.KillSwitch.Headers!["Retry-After"]);
    }

    [TestMethod]
    public async Task SetReleaseAsync_MarkBad_ListsTheVersionBadWithTheLatestWhy()
    {
        var store = await CreateInitializedStoreAsync();
        await store.AddVersionAsync(Deploy("hello"));
        await store.AddVersionAsync(Deploy("hello"));

        await store.SetReleaseAsync(new ReleaseChange("hello", 1, null, 0, "rollback", "bob", "errors", MarkBad: 2));
        Time.Advance(TimeSpan.FromSeconds(3));
        await store.SetReleaseAsync(new ReleaseChange("hello", 1, null, 0, "rollback", "carol", "still errors", MarkBad: 2));

        var marks = await store.ListBadVersionsAsync("hello");
        Assert.AreEqual(new VersionMark("hello", 2, "bad", "carol", "still errors", Start.AddSeconds(3)), marks.Single());
        Assert.IsEmpty(await store.ListBadVersionsAsync("other"));
    }

    [TestMethod]
    public void Database_OfTheStore_NamesItsProvider()
    {
        Assert.AreEqual(ExpectedProvider, CreateStore().Database!.Provider);
    }

    private static async Task AssertUnchangedAsync(INeedleStore store, ReleaseRecord release)
    {
        Assert.AreEqual(release.Revision, await store.GetRevisionAsync());
        Assert.AreEqual(release, (await store.GetFunctionAsync(release.Function))!.Release);
        Assert.HasCount(1, await store.ListReleasesAsync(release.Function, 10));
    }

    private INeedleStore CreateStore() => CreateStore(_time);

    protected async Task<INeedleStore> CreateInitializedStoreAsync()
    {
        var store = CreateStore();
        await store.InitializeAsync();
        return store;
    }
}
