using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Runtime.CSharp;
using Needle.Store;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.CSharp;

/// <summary>
/// Issue #12, case 12: a version whose load code never ends answers its deploy at the load limit, and while it runs,
/// rollbacks, kill switches and other deploys on the node go through at once.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CSharpLoadLimitTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    // Long enough that a rollback, a kill switch and a JavaScript deploy all finish inside it on a loaded CI machine.
    private static readonly TimeSpan LongLimit = TimeSpan.FromSeconds(10);

    [TestMethod]
    public async Task Deploy_ConstructorThatDoesNotEnd_AnswersAtTheLimitWhileRollbackAndKillSwitchGoThrough()
    {
        await using var host = await StartAsync(LongLimit);
        await host.DeployAsync("shop", CSharpTestHost.Handler("return \"v1\";"), Manifest());
        await host.DeployAsync("shop", CSharpTestHost.Handler("return \"v2\";"), Manifest());
        await host.DeployAsync("pay", CSharpTestHost.Handler("return \"pay\";"), Manifest());
        await host.DeployAsync("stuck", CSharpTestHost.Handler("return \"stuck-v1\";"), Manifest());
        await host.DeployAsync("warm-js", "export default async () => 'warm';");
        var statistics = host.Services.GetRequiredService<CSharpRuntime>().Statistics;
        var loadsBefore = statistics.Loaded;

        // Spins well past the limit (as 'while (true) { }' does, but ends, so the test run does not keep a core busy).
        var started = Stopwatch.StartNew();
        var stuckDeploy = host.TryDeployAsync("stuck", CSharpTestHost.Handler("return \"stuck-v2\";", Spin("public Handler()", 14)), Manifest());
        await WaitUntilAsync(() => statistics.Loaded > loadsBefore, "the stuck version starts loading");

        var rollbackWatch = Stopwatch.StartNew();
        using var rollback = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/rollback", new { reason = "drill" });
        rollbackWatch.Stop();
        var killWatch = Stopwatch.StartNew();
        using var kill = await host.Client.PostAsJsonAsync("/needle/api/functions/pay/kill", new { fallback = new { status = 503, body = "\"paused\"" }, reason = "drill" });
        killWatch.Stop();
        var otherWatch = Stopwatch.StartNew();
        using var otherDeploy = await host.TryDeployAsync("other", "export default async () => 'other';");
        otherWatch.Stop();
        var inFlightAfterOthers = !stuckDeploy.IsCompleted;
        using var stuck = await stuckDeploy;
        started.Stop();
        var problem = JsonNode.Parse(await stuck.Content.ReadAsStringAsync())!;

        Assert.AreEqual(HttpStatusCode.OK, rollback.StatusCode, await rollback.Content.ReadAsStringAsync());
        Assert.AreEqual(HttpStatusCode.OK, kill.StatusCode, await kill.Content.ReadAsStringAsync());
        Assert.AreEqual(HttpStatusCode.Created, otherDeploy.StatusCode, await otherDeploy.Content.ReadAsStringAsync());
        // Generous (a loaded 2-core CI machine, one core spinning in the stuck load): before, each of these waited for
        // the stuck load for good; unblocked they take milliseconds on a quiet machine.
        Assert.IsLessThan(TimeSpan.FromSeconds(3), rollbackWatch.Elapsed, $"rollback took {rollbackWatch.Elapsed}");
        Assert.IsLessThan(TimeSpan.FromSeconds(3), killWatch.Elapsed, $"kill switch took {killWatch.Elapsed}");
        Assert.IsTrue(inFlightAfterOthers, $"the stuck deploy answered before the other changes went through (the other deploy took {otherWatch.Elapsed}, {started.Elapsed} in all)");
        Assert.AreEqual((200, "v1"), Trim(await host.GetAsync("/fn/shop")));
        Assert.AreEqual(503, (await host.GetAsync("/fn/pay")).Status);
        Assert.AreEqual((200, "other"), Trim(await host.GetAsync("/fn/other")));

        Assert.AreEqual(HttpStatusCode.BadRequest, stuck.StatusCode, problem.ToJsonString());
        StringAssert.Contains(problem["detail"]!.GetValue<string>(), "did not finish loading within the load limit (10000 ms)");
        Assert.IsGreaterThanOrEqualTo(LongLimit - TimeSpan.FromMilliseconds(100), started.Elapsed);
        Assert.IsLessThan(LongLimit + TimeSpan.FromSeconds(10), started.Elapsed);
        Assert.AreEqual((200, "stuck-v1", "stuck@1"), await host.GetAsync("/fn/stuck"));
        Assert.AreEqual(1, statistics.LoadsAbandoned);
    }

    [TestMethod]
    [DataRow("public Handler()", DisplayName = "constructor")]
    [DataRow("static Handler()", DisplayName = "static constructor")]
    [DataRow("private readonly long _x = Loop(); private static long Loop()", DisplayName = "field initialiser")]
    [DataRow("private static readonly long s_x = Loop(); static Handler() { } private static long Loop()", DisplayName = "static field initialiser")]
    public async Task Deploy_LoadCodeThatDoesNotEnd_IsRefusedAtTheLimitAndTheSameSourceAtOnceAfter(string member)
    {
        await using var host = await StartAsync(TimeSpan.FromMilliseconds(500));
        var statistics = host.Services.GetRequiredService<CSharpRuntime>().Statistics;
        var source = CSharpTestHost.Handler("return \"never\";", Spin(member, 4, returns: member.Contains("Loop", StringComparison.Ordinal)));

        using var first = await host.TryDeployAsync("slow", source, Manifest());
        var again = Stopwatch.StartNew();
        using var second = await host.TryDeployAsync("slow", source, Manifest());
        again.Stop();

        Assert.AreEqual(HttpStatusCode.BadRequest, first.StatusCode);
        StringAssert.Contains(await first.Content.ReadAsStringAsync(), "did not finish loading within the load limit (500 ms)");
        Assert.AreEqual(HttpStatusCode.BadRequest, second.StatusCode);
        StringAssert.Contains(await second.Content.ReadAsStringAsync(), "An earlier load of the same source");
        Assert.IsLessThan(TimeSpan.FromSeconds(2), again.Elapsed, "a second load of a stuck source should not start another thread");
        Assert.AreEqual(404, (await host.GetAsync("/fn/slow")).Status);
        Assert.AreEqual(1, statistics.LoadsStuck);
        // When the load code ends after all, what it loaded is unloaded and the thread no longer counts.
        await WaitUntilAsync(() => statistics.LoadsStuck == 0, "the abandoned load ends", TimeSpan.FromSeconds(30));
        Assert.AreEqual(statistics.Loaded, statistics.Unloaded);
    }

    [TestMethod]
    public async Task Poll_StoredVersionThatDoesNotLoad_LoadsOutsideTheApplyGateSoARollbackGoesThrough()
    {
        await using var host = await TestHost.StartAsync(
            o => o.PollInterval = TimeSpan.FromMilliseconds(100),
            b => b.AddCSharpFunctions(o => o.LoadTimeout = Limit));
        await host.DeployAsync("shop", CSharpTestHost.Handler("return \"v1\";"), Manifest());
        await host.DeployAsync("shop", CSharpTestHost.Handler("return \"v2\";"), Manifest());
        await host.DeployAsync("stuck", CSharpTestHost.Handler("return \"stuck-v1\";"), Manifest());
        var statistics = host.Services.GetRequiredService<CSharpRuntime>().Statistics;
        var loadsBefore = statistics.Loaded;

        // Written straight to the store, as another node (or an older build) could: this node's poll loads it.
        var source = CSharpTestHost.Handler("return \"stuck-v2\";", Spin("public Handler()", 6));
        await host.Services.GetRequiredService<INeedleStore>().AddVersionAsync(new NewVersion(
            "stuck", source, new FunctionManifest { Name = "stuck", Runtime = "csharp", Methods = ["GET"] }, "stuck-hash", "test", Activate: true));
        await WaitUntilAsync(() => statistics.Loaded > loadsBefore, "the poll starts loading the stuck version");
        var watch = Stopwatch.StartNew();
        using var rollback = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/rollback", new { reason = "drill" });
        watch.Stop();
        var state = host.Services.GetRequiredService<Needle.Serving.INeedleServingState>();
        await WaitUntilAsync(() => state.LoadErrors.ContainsKey("stuck@2"), "the poll gives up on the stuck version");

        Assert.AreEqual(HttpStatusCode.OK, rollback.StatusCode, await rollback.Content.ReadAsStringAsync());
        // Under the 3 s load limit it waited for before; generous for a loaded machine with one core spinning.
        Assert.IsLessThan(TimeSpan.FromSeconds(2), watch.Elapsed, $"rollback took {watch.Elapsed}");
        Assert.AreEqual((200, "v1"), Trim(await host.GetAsync("/fn/shop")));
        StringAssert.Contains(state.LoadErrors["stuck@2"], "load limit");
        Assert.AreEqual((200, "stuck-v1", "stuck@1"), await host.GetAsync("/fn/stuck"));
    }

    [TestMethod]
    public async Task Canary_StoredVersionThatDoesNotLoad_LoadsOutsideTheChangeGateSoARollbackGoesThrough()
    {
        await using var host = await StartAsync(Limit);
        await host.DeployAsync("shop", CSharpTestHost.Handler("return \"v1\";"), Manifest());
        await host.DeployAsync("shop", CSharpTestHost.Handler("return \"v2\";"), Manifest());
        await host.DeployAsync("stuck", CSharpTestHost.Handler("return \"stuck-v1\";"), Manifest());
        var statistics = host.Services.GetRequiredService<CSharpRuntime>().Statistics;
        var loadsBefore = statistics.Loaded;

        // Stored without taking traffic (as another node or an older build could); the canary move loads it here.
        var source = CSharpTestHost.Handler("return \"stuck-v2\";", Spin("public Handler()", 6));
        await host.Services.GetRequiredService<INeedleStore>().AddVersionAsync(new NewVersion(
            "stuck", source, new FunctionManifest { Name = "stuck", Runtime = "csharp", Route = "/stuck", Methods = ["GET"] }, "stuck-hash", "test", Activate: false));
        var canary = host.Client.PostAsJsonAsync("/needle/api/functions/stuck/canary", new { version = 2, weight = 50, reason = "drill" });
        await WaitUntilAsync(() => statistics.Loaded > loadsBefore || canary.IsCompleted, "the canary move starts loading the stuck version");
        Assert.IsFalse(canary.IsCompleted, canary.IsCompleted ? await (await canary).Content.ReadAsStringAsync() : "");
        var watch = Stopwatch.StartNew();
        using var rollback = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/rollback", new { reason = "drill" });
        watch.Stop();
        var inFlight = !canary.IsCompleted;
        using var refused = await canary;

        Assert.AreEqual(HttpStatusCode.OK, rollback.StatusCode, await rollback.Content.ReadAsStringAsync());
        // Before, the rollback queued behind the canary move's load for the whole 3 s limit.
        Assert.IsLessThan(TimeSpan.FromSeconds(2), watch.Elapsed, $"rollback took {watch.Elapsed}");
        Assert.IsTrue(inFlight, "the canary move answered before the rollback went through");
        Assert.AreEqual(HttpStatusCode.BadRequest, refused.StatusCode, await refused.Content.ReadAsStringAsync());
        StringAssert.Contains(await refused.Content.ReadAsStringAsync(), "did not finish loading within the load limit");
        Assert.AreEqual((200, "v1"), Trim(await host.GetAsync("/fn/shop")));
        Assert.AreEqual((200, "stuck-v1", "stuck@1"), await host.GetAsync("/fn/stuck"));
    }

    [TestMethod]
    public async Task Poll_WarmStandbyThatDoesNotLoad_LoadsOutsideTheApplyGateAndReportsTheError()
    {
        await using var host = await TestHost.StartAsync(
            o => o.PollInterval = TimeSpan.FromMilliseconds(100),
            b => b.AddCSharpFunctions(o => o.LoadTimeout = Limit));
        await host.DeployAsync("shop", CSharpTestHost.Handler("return \"v1\";"), Manifest());
        await host.DeployAsync("shop", CSharpTestHost.Handler("return \"v2\";"), Manifest());
        var statistics = host.Services.GetRequiredService<CSharpRuntime>().Statistics;
        var loadsBefore = statistics.Loaded;
        var store = host.Services.GetRequiredService<INeedleStore>();
        var manifest = new FunctionManifest { Name = "stuck", Runtime = "csharp", Methods = ["GET"] };

        // Written straight to the store: version 1 (whose load code does not end) served once, version 2 serves now,
        // so this node's poll loads version 1 as the warm standby a rollback would swap to.
        await store.AddVersionAsync(new NewVersion("stuck", CSharpTestHost.Handler("return \"stuck-v1\";", Spin("public Handler()", 6)), manifest, "stuck-1", "test", Activate: true));
        await store.AddVersionAsync(new NewVersion("stuck", CSharpTestHost.Handler("return \"stuck-v2\";"), manifest, "stuck-2", "test", Activate: true));
        await WaitUntilAsync(() => statistics.Loaded >= loadsBefore + 2, "the poll starts loading the warm standby");
        var watch = Stopwatch.StartNew();
        using var rollback = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/rollback", new { reason = "drill" });
        watch.Stop();
        var state = host.Services.GetRequiredService<Needle.Serving.INeedleServingState>();
        await WaitUntilAsync(() => state.LoadErrors.ContainsKey("stuck@1"), "the poll gives up on the warm standby");

        Assert.AreEqual(HttpStatusCode.OK, rollback.StatusCode, await rollback.Content.ReadAsStringAsync());
        Assert.IsLessThan(TimeSpan.FromSeconds(2), watch.Elapsed, $"rollback took {watch.Elapsed}");
        Assert.AreEqual((200, "v1"), Trim(await host.GetAsync("/fn/shop")));
        StringAssert.StartsWith(state.LoadErrors["stuck@1"], "warm standby: ");
        StringAssert.Contains(state.LoadErrors["stuck@1"], "load limit");
        Assert.AreEqual((200, "stuck-v2", "stuck@2"), await host.GetAsync("/fn/stuck"));
    }

    [TestMethod]
    public async Task Deploy_MoreStuckLoadsThanTheCap_IsRefusedWith503NamingTheCapUntilOneEnds()
    {
        await using var host = await TestHost.StartAsync(needle: b => b.AddCSharpFunctions(o =>
        {
            o.LoadTimeout = TimeSpan.FromMilliseconds(500);
            o.MaxStuckLoads = 2;
        }));
        await host.DeployAsync("shop", CSharpTestHost.Handler("return \"v1\";"), Manifest());
        await host.DeployAsync("shop", CSharpTestHost.Handler("return \"v2\";"), Manifest());
        var statistics = host.Services.GetRequiredService<CSharpRuntime>().Statistics;

        // Two sources that differ (so the same-source refusal does not apply), each leaving its load thread behind.
        using var first = await host.TryDeployAsync("stuck-a", CSharpTestHost.Handler("return \"a\";", Spin("public Handler()", 8)), Manifest());
        using var second = await host.TryDeployAsync("stuck-b", CSharpTestHost.Handler("return \"b\";", Spin("public Handler()", 8)), Manifest());
        var refusedWatch = Stopwatch.StartNew();
        using var third = await host.TryDeployAsync("fine", CSharpTestHost.Handler("return \"fine\";"), Manifest());
        refusedWatch.Stop();
        var stuckWhileRefused = statistics.LoadsStuck;
        var problem = JsonNode.Parse(await third.Content.ReadAsStringAsync())!;
        using var script = await host.TryDeployAsync("script", "export default async () => 'js';");
        using var rollback = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/rollback", new { reason = "drill" });
        await WaitUntilAsync(() => statistics.LoadsStuck == 0, "the abandoned loads end", TimeSpan.FromSeconds(30));
        var fineWhileRefused = (await host.GetAsync("/fn/fine")).Status;
        using var later = await host.TryDeployAsync("fine", CSharpTestHost.Handler("return \"fine\";"), Manifest());

        Assert.AreEqual(HttpStatusCode.BadRequest, first.StatusCode, await first.Content.ReadAsStringAsync());
        Assert.AreEqual(HttpStatusCode.BadRequest, second.StatusCode, await second.Content.ReadAsStringAsync());
        Assert.AreEqual(2, stuckWhileRefused);
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, third.StatusCode, problem.ToJsonString());
        StringAssert.Contains(problem["detail"]!.GetValue<string>(), "CSharpFunctionOptions.MaxStuckLoads = 2");
        Assert.IsLessThan(TimeSpan.FromSeconds(2), refusedWatch.Elapsed, "a deploy beyond the cap is refused at once");
        Assert.AreEqual(404, fineWhileRefused);
        // Only C# loads are capped: JavaScript deploys and rollbacks go on.
        Assert.AreEqual(HttpStatusCode.Created, script.StatusCode, await script.Content.ReadAsStringAsync());
        Assert.AreEqual(HttpStatusCode.OK, rollback.StatusCode, await rollback.Content.ReadAsStringAsync());
        Assert.AreEqual(HttpStatusCode.Created, later.StatusCode, await later.Content.ReadAsStringAsync());
        Assert.AreEqual((200, "fine"), Trim(await host.GetAsync("/fn/fine")));
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(65)]
    public async Task Start_MaxStuckLoadsOutOfRange_FailsNamingTheOption(int value)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(needle: b => b.AddCSharpFunctions(o => o.MaxStuckLoads = value)));

        StringAssert.Contains(failure.Message, "MaxStuckLoads");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(600_000)]
    public async Task Start_LoadTimeoutOutOfRange_FailsNamingTheOption(int milliseconds)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(TimeSpan.FromMilliseconds(milliseconds)));

        StringAssert.Contains(failure.Message, "LoadTimeout");
    }

    private static Task<TestHost> StartAsync(TimeSpan limit) =>
        TestHost.StartAsync(needle: b => b.AddCSharpFunctions(o => o.LoadTimeout = limit));

    // A member that spins for about 'seconds' (a loop that does not end within any sensible limit).
    private static string Spin(string member, int seconds, bool returns = false) =>
        $"{member} {{ var end = Environment.TickCount64 + {seconds * 1000}; while (Environment.TickCount64 < end) {{ }} {(returns ? "return end;" : "")} }}";

    private static (int Status, string Body) Trim((int Status, string Body, string? Version) response) => (response.Status, response.Body);

    private static object Manifest() => new { runtime = "csharp", methods = new[] { "GET" } };

    private static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(10);
        }
    }
}
