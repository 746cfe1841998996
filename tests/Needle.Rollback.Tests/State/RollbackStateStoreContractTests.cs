using Microsoft.Extensions.DependencyInjection;
using Needle.Hosting;
using Needle.Rollback.Patches;
using Needle.Rollback.Plans;
using Needle.Rollback.State;
using Needle.Store;

namespace Needle.Rollback.Tests.State;

/// <summary>
/// What every <see cref="IRollbackStateStore"/> does, whatever the database: each concrete class runs all of it against a
/// real database of its kind (a SQLite file, a PostgreSQL database), several stores on one database standing for several nodes.
/// </summary>
public abstract class RollbackStateStoreContractTests
{
    // Ticks below the millisecond prove that times round-trip exactly.
    protected static readonly DateTimeOffset Start = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1234567);

    private readonly List<IDisposable> _owned = [];

    [TestInitialize]
    public Task CreateDatabaseAsync() => CreateEmptyDatabaseAsync();

    [TestCleanup]
    public void DeleteDatabase()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        DeleteEmptyDatabase();
    }

    /// <summary>Makes a new empty database for the test.</summary>
    protected abstract Task CreateEmptyDatabaseAsync();

    /// <summary>Removes what <see cref="CreateEmptyDatabaseAsync"/> made.</summary>
    protected virtual void DeleteEmptyDatabase()
    {
    }

    /// <summary>A state store on the test's database (not initialised), as one node makes it.</summary>
    internal abstract IRollbackStateStore NewStore();

    /// <summary>Sets Needle's own store on the test's database.</summary>
    protected abstract void UseNeedleStore(NeedleOptions options);

    /// <summary>Runs a scalar query on the test's database.</summary>
    protected abstract Task<long> CountAsync(string sql);

    /// <summary>Runs a statement on the test's database.</summary>
    protected abstract Task ExecuteAsync(string sql);

    [TestMethod]
    public async Task InsertPlanAsync_EmptyDatabase_CreatesItsOwnTablesAndReadsThePlanBackExactly()
    {
        var store = CreateStore();
        var plan = Plan("plan-1");

        await store.InsertPlanAsync(plan, CancellationToken.None);
        var read = await store.GetPlanAsync("plan-1", CancellationToken.None);

        Assert.IsNotNull(read);
        Assert.AreEqual(plan with { Steps = read.Steps }, read);
        CollectionAssert.AreEqual(new[] { 5d, 50d, 100d }, read.Steps.ToArray());
        Assert.AreEqual(1L, await CountAsync("SELECT COUNT(*) FROM rollback_schema_version"));
        Assert.IsNull(await store.GetPlanAsync("nope", CancellationToken.None));
    }

    [TestMethod]
    public async Task InitializeAsync_DatabaseWhereNeedleCoreMadeTheTables_KeepsTheirRowsAndAppliesOnce()
    {
        // Needle.Core's migration 0005 makes the same tables (on SQLite, in databases from before Rollback had migrations).
        using var services = new ServiceCollection().BuildServiceProvider();
        var options = new NeedleOptions();
        UseNeedleStore(options);
        var core = options.StoreFactory!(services);
        await core.InitializeAsync();
        await CreateStore().InsertPlanAsync(Plan("plan-old"), CancellationToken.None);
        await ExecuteAsync("DROP TABLE rollback_schema_version");

        var store = CreateStore();
        await store.InitializeAsync(CancellationToken.None);
        await CreateStore().InitializeAsync(CancellationToken.None);

        Assert.AreEqual("plan-old", (await store.ListRunningPlansAsync(CancellationToken.None)).Single().Id);
        Assert.AreEqual(1L, await CountAsync("SELECT COUNT(*) FROM rollback_schema_version"));
        (core as IDisposable)?.Dispose();
    }

    [TestMethod]
    public async Task InitializeAsync_EightNodesAtOnce_AppliesEachMigrationOnce()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => CreateStore()).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync(CancellationToken.None))));

        Assert.AreEqual(1L, await CountAsync("SELECT COUNT(*) FROM rollback_schema_version"));
        Assert.AreEqual(0L, await CountAsync("SELECT COUNT(*) FROM release_plans"));
    }

    [TestMethod]
    public async Task InsertPlanAsync_FunctionRunsAPlan_ThrowsConflictAndKeepsTheFirst()
    {
        var store = CreateStore();
        await store.InsertPlanAsync(Plan("plan-1"), CancellationToken.None);

        var error = await Assert.ThrowsExactlyAsync<NeedleConflictException>(() => store.InsertPlanAsync(Plan("plan-2"), CancellationToken.None));

        StringAssert.Contains(error.Message, "plan-1");
        Assert.AreEqual("plan-1", (await store.ListRunningPlansAsync(CancellationToken.None)).Single().Id);
    }

    [TestMethod]
    public async Task InsertPlanAsync_TenNodesAtOnceForOneFunction_OneWins()
    {
        var stores = Enumerable.Range(0, 10).Select(_ => CreateStore()).ToList();
        await Task.WhenAll(stores.Select(s => s.InitializeAsync(CancellationToken.None)));

        var outcomes = await Task.WhenAll(stores.Select((s, i) => Task.Run(async () =>
        {
            try
            {
                await s.InsertPlanAsync(Plan($"plan-{i}"), CancellationToken.None);
                return true;
            }
            catch (NeedleConflictException)
            {
                return false;
            }
        })));

        Assert.AreEqual(1, outcomes.Count(won => won));
        Assert.AreEqual(1L, await CountAsync("SELECT COUNT(*) FROM release_plans WHERE status = 'running'"));
    }

    [TestMethod]
    public async Task GetLatestPlanAsync_RunningPlanAndANewerFinishedOne_ReturnsTheRunningOne()
    {
        var store = CreateStore();
        await store.InsertPlanAsync(Plan("plan-old") with { Status = "completed", CreatedAt = Start.AddHours(2) }, CancellationToken.None);
        await store.InsertPlanAsync(Plan("plan-now"), CancellationToken.None);
        await store.InsertPlanAsync(Plan("plan-other", function: "cart"), CancellationToken.None);

        var latest = await store.GetLatestPlanAsync("shop", CancellationToken.None);

        Assert.AreEqual("plan-now", latest?.Id);
        Assert.IsNull(await store.GetLatestPlanAsync("none", CancellationToken.None));
        CollectionAssert.AreEquivalent(new[] { "plan-now", "plan-other" }, (await store.ListRunningPlansAsync(CancellationToken.None)).Select(p => p.Id).ToArray());
    }

    [TestMethod]
    public async Task UpdatePlanAsync_ReadAtAnOlderStep_ChangesNothing()
    {
        var store = CreateStore();
        var plan = Plan("plan-1");
        await store.InsertPlanAsync(plan, CancellationToken.None);
        var advanced = plan with { StepIndex = 1, Detail = "canary at 50 %", NextAt = Start.AddMinutes(2), UpdatedAt = Start.AddMinutes(1) };
        Assert.IsTrue(await store.UpdatePlanAsync(advanced, ReleasePlan.Running, 0, CancellationToken.None));

        var stale = await store.UpdatePlanAsync(plan with { Status = "aborted" }, ReleasePlan.Running, 0, CancellationToken.None);

        Assert.IsFalse(stale);
        Assert.AreEqual(advanced with { Steps = plan.Steps }, (await store.GetPlanAsync("plan-1", CancellationToken.None))! with { Steps = plan.Steps });
    }

    [TestMethod]
    public async Task UpdatePlanAsync_TenNodesAdvanceTheSameStepAtOnce_OneWins()
    {
        var stores = Enumerable.Range(0, 10).Select(_ => CreateStore()).ToList();
        var plan = Plan("plan-1");
        await stores[0].InsertPlanAsync(plan, CancellationToken.None);
        await Task.WhenAll(stores.Select(s => s.InitializeAsync(CancellationToken.None)));

        var outcomes = await Task.WhenAll(stores.Select((s, i) => Task.Run(() =>
            s.UpdatePlanAsync(plan with { StepIndex = 1, Detail = $"node {i}" }, ReleasePlan.Running, 0, CancellationToken.None))));

        Assert.AreEqual(1, outcomes.Count(won => won));
        var winner = Array.IndexOf(outcomes, true);
        Assert.AreEqual($"node {winner}", (await stores[0].GetPlanAsync("plan-1", CancellationToken.None))!.Detail);
    }

    [TestMethod]
    public async Task InsertRunAsync_SameIdempotencyKey_ReturnsTheFirstRunAndAddsNothing()
    {
        var store = CreateStore();
        var first = Run("run-1", key: "k-1");
        await store.InsertRunAsync(first, CancellationToken.None);
        await store.UpdateRunAsync(first with { Status = "succeeded" }, PatchRun.Queued, CancellationToken.None);

        var (run, existing, superseded) = await store.InsertRunAsync(Run("run-2", key: "k-1"), CancellationToken.None);

        Assert.IsTrue(existing);
        Assert.IsNull(superseded);
        Assert.AreEqual("run-1", run.Id);
        Assert.AreEqual("run-1", (await store.FindRunByKeyAsync("shop", "k-1", CancellationToken.None))?.Id);
        Assert.IsNull(await store.FindRunByKeyAsync("cart", "k-1", CancellationToken.None));
        Assert.AreEqual(1L, await CountAsync("SELECT COUNT(*) FROM patch_runs"));
    }

    [TestMethod]
    public async Task InsertRunAsync_RunStillQueued_ThrowsConflictNamingIt()
    {
        var store = CreateStore();
        await store.InsertRunAsync(Run("run-1"), CancellationToken.None);

        var error = await Assert.ThrowsExactlyAsync<NeedleConflictException>(() => store.InsertRunAsync(Run("run-2"), CancellationToken.None));

        StringAssert.Contains(error.Message, "run-1");
        Assert.AreEqual(1L, await CountAsync("SELECT COUNT(*) FROM patch_runs"));
    }

    [TestMethod]
    public async Task InsertRunAsync_RunBeingWatched_SupersedesItInTheSameChange()
    {
        var store = CreateStore();
        var watched = Run("run-1") with { Status = PatchRun.Watching, Version = 3, WatchUntil = Start.AddMinutes(2) };
        await store.InsertRunAsync(watched, CancellationToken.None);

        var (run, existing, superseded) = await store.InsertRunAsync(Run("run-2") with { BaseVersion = 3 }, CancellationToken.None);

        Assert.IsFalse(existing);
        Assert.AreEqual("run-1", superseded?.Id);
        Assert.AreEqual("supersedes", run.Steps[^1].Name);
        var old = await store.GetRunAsync("run-1", CancellationToken.None);
        Assert.AreEqual(PatchRun.Superseded, old?.Status);
        Assert.AreEqual("superseded", old?.Steps[^1].Name);
        CollectionAssert.AreEqual(new[] { "run-2" }, (await store.ListActiveRunsAsync(CancellationToken.None)).Select(r => r.Id).ToArray());
    }

    [TestMethod]
    public async Task InsertRunAsync_TenNodesAtOnceForOneFunction_OneIsRecorded()
    {
        var stores = Enumerable.Range(0, 10).Select(_ => CreateStore()).ToList();
        await Task.WhenAll(stores.Select(s => s.InitializeAsync(CancellationToken.None)));

        var outcomes = await Task.WhenAll(stores.Select((s, i) => Task.Run(async () =>
        {
            try
            {
                return !(await s.InsertRunAsync(Run($"run-{i}"), CancellationToken.None)).Existing;
            }
            catch (NeedleConflictException)
            {
                return false;
            }
        })));

        Assert.AreEqual(1, outcomes.Count(won => won));
        Assert.AreEqual(1L, await CountAsync("SELECT COUNT(*) FROM patch_runs"));
    }

    [TestMethod]
    public async Task UpdateRunAsync_WrongExpectedStatus_ChangesNothing()
    {
        var store = CreateStore();
        var run = Run("run-1");
        await store.InsertRunAsync(run, CancellationToken.None);
        var applied = run with
        {
            Status = PatchRun.Watching,
            BaseErrorRatio = 0.125,
            Version = 4,
            WatchUntil = Start.AddMinutes(2),
            Steps = [new PatchRunStep("applied", Start.AddSeconds(1), "v4", Requests: 200, Errors: 25)],
            UpdatedAt = Start.AddSeconds(1),
        };

        Assert.IsFalse(await store.UpdateRunAsync(applied, PatchRun.Watching, CancellationToken.None));
        Assert.IsTrue(await store.UpdateRunAsync(applied, PatchRun.Queued, CancellationToken.None));

        var read = await store.GetRunAsync("run-1", CancellationToken.None);
        Assert.AreEqual(applied with { Steps = read!.Steps }, read);
        Assert.AreEqual(applied.Steps.Single(), read.Steps.Single());
        Assert.IsNull(await store.GetRunAsync("nope", CancellationToken.None));
    }

    private IRollbackStateStore CreateStore()
    {
        var store = NewStore();
        if (store is IDisposable disposable)
        {
            _owned.Add(disposable);
        }

        return store;
    }

    private static ReleasePlan Plan(string id, string function = "shop") =>
        new(id, function, 2, [5, 50, 100], TimeSpan.FromMinutes(1), 0, ReleasePlan.Running, Start.AddMinutes(1), "alice", "gradual", "canary at 5 %", Start, Start);

    private static PatchRun Run(string id, string? key = null) =>
        new(id, "shop", "config", """{"config":{"a":1}}""", key, PatchRun.Queued, 2, null, null, null, [], "bob", Start, Start);
}
