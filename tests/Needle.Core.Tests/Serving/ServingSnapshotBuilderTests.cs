using Needle.Functions;
using Needle.Serving;
using Needle.Store;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Serving;

/// <summary>The next snapshot from what the store releases and what is loaded: no host, no store, no runtime.</summary>
[TestClass]
public sealed class ServingSnapshotBuilderTests
{
    private readonly Dictionary<(string, int), ServedVersion> _loaded = [];

    [TestMethod]
    public void Build_FromEmpty_ServesEveryReleasedFunctionAtTheStoreRevision()
    {
        Load("a", 1);
        Load("b", 3);
        Load("b", 4);

        var snapshot = Build(ServingSnapshot.Empty, 7, Released("a", 1, 1), Released("b", 2, 3, canary: 4));

        Assert.AreEqual(7, snapshot.Revision);
        Assert.AreEqual(7, snapshot.LatestChange);
        Assert.AreEqual(1, snapshot.Functions["a"].Stable.Function.Version.Number);
        Assert.AreEqual(4, snapshot.Functions["b"].Canary!.Function.Version.Number);
        Assert.IsEmpty(snapshot.LoadErrors);
    }

    [TestMethod]
    public void Build_ReleaseRowUnchanged_KeepsTheSameEntryAndItsLoadErrors()
    {
        Load("a", 1);
        var first = Build(ServingSnapshot.Empty, 1, new Dictionary<string, string> { ["a@0"] = "warm standby: broken" }, Released("a", 1, 1));

        var second = Build(first, 2, new Dictionary<string, string>(), Released("a", 1, 1));

        Assert.AreSame(first.Functions["a"], second.Functions["a"]);
        Assert.AreEqual("warm standby: broken", second.LoadErrors["a@0"]);
        Assert.AreEqual(2, second.Revision);
    }

    [TestMethod]
    public void Build_StableNeitherLoadedNorFailed_KeepsPreviousEntryAndRevision()
    {
        Load("a", 1);
        var first = Build(ServingSnapshot.Empty, 1, Released("a", 1, 1));

        var second = Build(first, 2, Released("a", 2, 2));

        Assert.AreSame(first.Functions["a"], second.Functions["a"]);
        Assert.AreEqual(1, second.Revision, "the node serves revision 1 until version 2 is loaded");
        Assert.AreEqual(2, second.LatestChange);
    }

    [TestMethod]
    public void Build_StableFailedToLoad_KeepsPreviousEntryAndReportsTheError()
    {
        Load("a", 1);
        var first = Build(ServingSnapshot.Empty, 1, Released("a", 1, 1));

        var second = Build(first, 2, new Dictionary<string, string> { ["a@2"] = "does not compile" }, Released("a", 2, 2));

        Assert.AreSame(first.Functions["a"], second.Functions["a"]);
        Assert.AreEqual("does not compile", second.LoadErrors["a@2"]);
        Assert.AreEqual(2, second.Revision, "a failed load is applied: it is reported, not waited for");
    }

    [TestMethod]
    public void Build_CanaryFailedToLoad_ServesStableOnlyAndReportsTheCanary()
    {
        Load("a", 1);

        var snapshot = Build(ServingSnapshot.Empty, 3, new Dictionary<string, string> { ["a@2"] = "load limit" }, Released("a", 1, 1, canary: 2));

        Assert.IsNull(snapshot.Functions["a"].Canary);
        Assert.AreEqual(1, snapshot.Functions["a"].Stable.Function.Version.Number);
        Assert.AreEqual("load limit", snapshot.LoadErrors["a@2"]);
    }

    [TestMethod]
    public void Build_LoadedVersionWithOtherContent_IsNotServed()
    {
        Load("a", 1, hash: "old");

        var snapshot = Build(ServingSnapshot.Empty, 1, Released("a", 1, 1));

        Assert.IsEmpty(snapshot.Functions);
        Assert.AreEqual(-1, snapshot.Revision);
    }

    [TestMethod]
    public void Build_FunctionNoLongerReleased_IsGone()
    {
        Load("a", 1);
        Load("b", 1);
        var first = Build(ServingSnapshot.Empty, 1, Released("a", 1, 1), Released("b", 2, 1));

        var second = Build(first, 2, Released("b", 2, 1));

        Assert.IsFalse(second.Functions.ContainsKey("a"));
        Assert.AreSame(first.Functions["b"], second.Functions["b"]);
    }

    [TestMethod]
    public void Build_WarmStandbys_AreKeptWhenLoaded()
    {
        Load("a", 1);
        Load("a", 2);
        Load("a", 3);

        var snapshot = ServingSnapshotBuilder.Build(
            ServingSnapshot.Empty,
            new ReleaseState(1, [Released("a", 1, 3)]),
            Find,
            new Dictionary<string, IReadOnlyList<int>> { ["a"] = [2, 1, 0] },
            new Dictionary<string, string>());

        CollectionAssert.AreEquivalent(new[] { 1, 2, 3 }, snapshot.Functions["a"].Loaded.Keys.ToArray());
    }

    [TestMethod]
    public void WithFunction_OneFunctionChanged_OthersKeepTheirEntriesAndErrors()
    {
        Load("a", 1);
        Load("b", 1);
        Load("b", 2);
        var first = Build(ServingSnapshot.Empty, 1, new Dictionary<string, string> { ["a@9"] = "broken", ["b@9"] = "old" }, Released("a", 1, 1), Released("b", 2, 1));

        var second = WithFunction(first, Released("b", 3, 2), revision: 2);

        Assert.AreSame(first.Functions["a"], second.Functions["a"]);
        Assert.AreEqual(2, second.Functions["b"].Stable.Function.Version.Number);
        Assert.AreEqual("broken", second.LoadErrors["a@9"]);
        Assert.IsFalse(second.LoadErrors.ContainsKey("b@9"), "the changed function's errors are its new ones");
        Assert.AreEqual(2, second.Revision);
    }

    [TestMethod]
    public void WithFunction_OlderReleaseThanServed_ChangesNothing()
    {
        Load("a", 1);
        Load("a", 2);
        var first = Build(ServingSnapshot.Empty, 5, Released("a", 5, 2));

        var second = WithFunction(first, Released("a", 4, 1), revision: 4);

        Assert.AreSame(first, second);
    }

    [TestMethod]
    public void WithFunction_NodeBehindTheStore_KeepsItsRevision()
    {
        Load("a", 1);
        Load("a", 2);
        var first = Build(ServingSnapshot.Empty, 1, Released("a", 1, 1));

        // Revision 2 was a change made elsewhere that this node has not applied yet.
        var second = WithFunction(first, Released("a", 3, 2), revision: 3);

        Assert.AreEqual(2, second.Functions["a"].Stable.Function.Version.Number);
        Assert.AreEqual(1, second.Revision);
        Assert.AreEqual(3, second.LatestChange);
    }

    [TestMethod]
    public void WithFunction_Deleted_RemovesTheFunctionAndItsErrors()
    {
        Load("a", 1);
        var first = Build(ServingSnapshot.Empty, 1, new Dictionary<string, string> { ["a@2"] = "broken" }, Released("a", 1, 1));

        var second = ServingSnapshotBuilder.WithFunction(first, "a", null, 2, Find, [], new Dictionary<string, string>());

        Assert.IsEmpty(second.Functions);
        Assert.IsEmpty(second.LoadErrors);
        Assert.AreEqual(2, second.Revision);
    }

    private ServingSnapshot Build(ServingSnapshot previous, long revision, params ReleasedFunction[] functions) =>
        Build(previous, revision, new Dictionary<string, string>(), functions);

    private ServingSnapshot Build(ServingSnapshot previous, long revision, Dictionary<string, string> errors, params ReleasedFunction[] functions) =>
        ServingSnapshotBuilder.Build(previous, new ReleaseState(revision, functions), Find, new Dictionary<string, IReadOnlyList<int>>(), errors);

    private ServingSnapshot WithFunction(ServingSnapshot previous, ReleasedFunction function, long revision) =>
        ServingSnapshotBuilder.WithFunction(previous, function.Release.Function, function, revision, Find, [], new Dictionary<string, string>());

    private ServedVersion? Find(string name, int number) => _loaded.GetValueOrDefault((name, number));

    private void Load(string name, int number, string hash = "h") => _loaded[(name, number)] = new ServedVersion(new StubFunction(name, number, hash));

    private static ReleasedFunction Released(string name, long releaseId, int stable, int? canary = null) => new(
        new ReleaseRecord(releaseId, name, stable, canary, canary is null ? 0 : 10, "test", releaseId, "test", null, DateTimeOffset.UnixEpoch),
        Version(name, stable),
        canary is { } number ? Version(name, number) : null);

    private static FunctionVersion Version(string name, int number) =>
        new(name, number, "", new FunctionManifest { Name = name }, "h", "t", DateTimeOffset.UnixEpoch, null);
}
