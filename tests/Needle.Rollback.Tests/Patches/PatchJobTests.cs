using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Needle.Rollback.Guard;
using Needle.Rollback.Patches;
using Needle.Rollback.State;
using Needle.Rollback.Tests.Infrastructure;

namespace Needle.Rollback.Tests.Patches;

[TestClass]
public sealed class PatchJobTests
{
    private const string Source = "export default (req, ctx) => {\n  const limit = 10;\n  return { limit };\n};\n";
    private const string Diff = "--- a/fn.js\n+++ b/fn.js\n@@ -1,4 +1,4 @@\n export default (req, ctx) => {\n-  const limit = 10;\n+  const limit = 2;\n   return { limit };\n };\n";

    [TestMethod]
    public async Task Patch_Diff_RunsAsAJobServesAllTrafficAndIsKeptAfterTheWatch()
    {
        var health = new FixedHealthSource();
        await using var host = await RollbackTestHost.StartAsync(health: health);
        var hash = await host.DeployOrdersAsync(Source);

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, diff = Diff, reason = "shed load", ticket = "INC-9" });
        var accepted = await response.Content.ReadFromJsonAsync<JsonNode>();
        var location = response.Headers.Location!.ToString();
        await Eventually.WaitAsync(async () => (await GetRunAsync(host, location))["status"]!.GetValue<string>() == "watching", "the patch job to apply the patch");
        var served = await host.Client.GetAsync("/fn/orders");
        host.Time.Advance(TimeSpan.FromMinutes(3));
        var outcome = await host.Get<PatchJob>().RunAsync(accepted!["id"]!.GetValue<string>(), CancellationToken.None);
        var run = await GetRunAsync(host, location);

        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode);
        Assert.AreEqual("orders@2", served.Headers.GetValues("Needle-Version").Single());
        StringAssert.StartsWith(outcome, "succeeded");
        Assert.AreEqual("succeeded", run["status"]!.GetValue<string>());
        CollectionAssert.AreEqual(new[] { "validated", "applied", "watching", "succeeded" }, run["steps"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()).ToArray());
        Assert.AreEqual(1, (await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/orders/versions/2"))!["parentNumber"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Patch_WorseErrorRatioThanTheBase_RevertsByItself()
    {
        var health = new FixedHealthSource { Default = new HealthSample(100, 1, 10) };
        await using var host = await StartWithoutJobServerAsync(health);
        var hash = await host.DeployOrdersAsync(Source);
        var id = await SubmitAndApplyAsync(host, hash);
        health.Set("orders", 2, new HealthSample(100, 20, 10));
        host.Time.Advance(TimeSpan.FromSeconds(30));

        var outcome = await host.Get<PatchJob>().RunAsync(id, CancellationToken.None);
        var release = await host.ReleaseAsync();

        StringAssert.StartsWith(outcome, "reverted");
        Assert.AreEqual(1, release["stableVersion"]!.GetValue<int>());
        StringAssert.Contains(outcome, "20/100 errors");
    }

    [TestMethod]
    public async Task Patch_OneTransientErrorDuringTheWatch_IsKept()
    {
        var health = new FixedHealthSource { Default = new HealthSample(100, 0, 10) };
        await using var host = await StartWithoutJobServerAsync(health);
        var hash = await host.DeployOrdersAsync(Source);
        var id = await SubmitAndApplyAsync(host, hash);
        health.Set("orders", 2, new HealthSample(30, 2, 10));
        host.Time.Advance(TimeSpan.FromSeconds(30));
        var during = await host.Get<PatchJob>().RunAsync(id, CancellationToken.None);
        host.Time.Advance(TimeSpan.FromMinutes(3));

        var outcome = await host.Get<PatchJob>().RunAsync(id, CancellationToken.None);

        StringAssert.StartsWith(during, "watching");
        StringAssert.StartsWith(outcome, "succeeded: kept: patched 2/30 errors");
        StringAssert.Contains(outcome, "one-sided Fisher exact test");
        Assert.AreEqual(2, (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Patch_TooLittleTrafficToJudge_HoldsAndIsNeverReverted()
    {
        var health = new FixedHealthSource { Default = new HealthSample(100, 0, 10) };
        await using var host = await StartWithoutJobServerAsync(health);
        var hash = await host.DeployOrdersAsync(Source);
        var id = await SubmitAndApplyAsync(host, hash);
        health.Set("orders", 2, new HealthSample(10, 10, 10));
        host.Time.Advance(TimeSpan.FromSeconds(30));
        var during = await host.Get<PatchJob>().RunAsync(id, CancellationToken.None);
        host.Time.Advance(TimeSpan.FromMinutes(3));

        var outcome = await host.Get<PatchJob>().RunAsync(id, CancellationToken.None);

        StringAssert.StartsWith(during, "watching");
        StringAssert.StartsWith(outcome, "succeeded: kept, too little data to judge");
        Assert.AreEqual(2, (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task RunAsync_AFinishedRunDeliveredAgain_DoesNothing()
    {
        await using var host = await StartWithoutJobServerAsync(new FixedHealthSource());
        var hash = await host.DeployOrdersAsync(Source);
        var id = await SubmitAndApplyAsync(host, hash);
        host.Time.Advance(TimeSpan.FromMinutes(3));
        var job = host.Get<PatchJob>();
        await job.RunAsync(id, CancellationToken.None);

        var again = await job.RunAsync(id, CancellationToken.None);

        StringAssert.StartsWith(again, "nothing to do");
        Assert.AreEqual(2, await host.VersionCountAsync());
    }

    [TestMethod]
    public async Task RunAsync_ReRunAfterACrashBeforeTheRunWasUpdated_FinishesWithoutASecondVersion()
    {
        await using var host = await StartWithoutJobServerAsync(new FixedHealthSource());
        var hash = await host.DeployOrdersAsync(Source);
        var id = await SubmitAndApplyAsync(host, hash);
        var state = host.Get<IRollbackStateStore>();
        var run = (await state.GetRunAsync(id, CancellationToken.None))!;

        // As if the process died after the deploy, before the run's row said so.
        await state.UpdateRunAsync(run with { Status = PatchRun.Queued, Version = null, Steps = [run.Steps[0]] }, PatchRun.Watching, CancellationToken.None);
        var outcome = await host.Get<PatchJob>().RunAsync(id, CancellationToken.None);

        StringAssert.StartsWith(outcome, "version 2 serves all traffic");
        Assert.AreEqual(2, await host.VersionCountAsync());
        Assert.AreEqual(2, (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Patch_HostRestartMidPatch_ServesThePatchedVersionAndTheWatchGoesOn()
    {
        using var directory = TemporaryDirectory.Create("needle-rollback-tests");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        string id;
        await using (var first = await RollbackTestHost.StartAsync(directory: directory.Path, time: time, health: new FixedHealthSource()))
        {
            id = await SubmitAndWaitAsync(first, await first.DeployOrdersAsync(Source));
        }

        await using var second = await RollbackTestHost.StartAsync(directory: directory.Path, time: time, health: new FixedHealthSource());
        var served = await second.Client.GetAsync("/fn/orders");
        time.Advance(TimeSpan.FromMinutes(3));
        await second.Get<Needle.Rollback.Guard.GuardCheckJob>().RunAsync(CancellationToken.None);

        Assert.AreEqual("orders@2", served.Headers.GetValues("Needle-Version").Single());
        await Eventually.WaitAsync(async () => (await second.Get<IRollbackStateStore>().GetRunAsync(id, CancellationToken.None))!.Status == "succeeded", "the backstop to finish the watch");
    }

    [TestMethod]
    [DataRow("{\"baseHash\":\"{hash}\",\"diff\":\"--- a/fn.js\\n+++ b/fn.js\\n@@ -2,1 +2,1 @@\\n-  const limit = 99;\\n+  const limit = 1;\\n\",\"reason\":\"r\"}", HttpStatusCode.BadRequest, "does not apply")]
    [DataRow("{\"baseHash\":\"sha256-stale\",\"diff\":\"x\",\"reason\":\"r\"}", HttpStatusCode.Conflict, "stale")]
    [DataRow("{\"baseHash\":\"{hash}\",\"source\":\"export default (req => {\",\"reason\":\"r\"}", HttpStatusCode.BadRequest, "Invalid function")]
    [DataRow("{\"baseHash\":\"{hash}\",\"source\":\"export default () => 1;\"}", HttpStatusCode.BadRequest, "needs a reason")]
    [DataRow("{\"baseHash\":\"{hash}\",\"source\":\"export default () => 1;\",\"config\":{},\"reason\":\"r\"}", HttpStatusCode.BadRequest, "exactly one of")]
    public async Task Patch_BadInput_IsRefusedAndNothingChanges(string body, HttpStatusCode expected, string message)
    {
        await using var host = await RollbackTestHost.StartAsync();
        var hash = await host.DeployOrdersAsync(Source);

        using var response = await host.Client.PostAsync("/needle/api/functions/orders/patches", new StringContent(body.Replace("{hash}", hash, StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(expected, response.StatusCode, text);
        StringAssert.Contains(text, message);
        Assert.AreEqual(1, await host.VersionCountAsync());
        Assert.AreEqual(1, (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Patch_UnknownFunction_IsNotFound()
    {
        await using var host = await RollbackTestHost.StartAsync();

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/nope/patches", new { baseHash = "x", source = "export default () => 1;", reason = "r" });

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
    }

    [TestMethod]
    public async Task Patch_SecondAgainstTheWatchedPatch_IsAcceptedAndSupersedesTheFirst()
    {
        await using var host = await RollbackTestHost.StartAsync(health: new FixedHealthSource());
        var first = await SubmitAndWaitAsync(host, await host.DeployOrdersAsync(Source));

        using var second = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = await HashAsync(host, 2), config = new { mode = "x" }, reason = "the first fix was wrong" });
        var location = second.Headers.Location!.ToString();
        await Eventually.WaitAsync(async () => (await GetRunAsync(host, location))["status"]!.GetValue<string>() == "watching", "the second patch to apply");
        var secondRun = await GetRunAsync(host, location);
        var firstRun = await host.Client.GetFromJsonAsync<JsonNode>($"/needle/api/patches/{first}");
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");
        var served = await host.Client.GetAsync("/fn/orders");

        Assert.AreEqual(HttpStatusCode.Accepted, second.StatusCode);
        Assert.AreEqual("superseded", firstRun!["status"]!.GetValue<string>());
        var last = firstRun["steps"]!.AsArray()[^1]!;
        Assert.AreEqual("superseded", last["name"]!.GetValue<string>());
        StringAssert.Contains(last["detail"]!.GetValue<string>(), secondRun["id"]!.GetValue<string>());
        CollectionAssert.AreEqual(new[] { "validated", "supersedes", "applied", "watching" }, secondRun["steps"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()).ToArray());
        Assert.AreEqual(2, secondRun["baseVersion"]!.GetValue<int>());
        Assert.IsTrue(audit!.Any(e => e!["action"]!.GetValue<string>() == "patch-superseded" && e["detail"]!.GetValue<string>().Contains(first, StringComparison.Ordinal)));
        Assert.AreEqual("orders@3", served.Headers.GetValues("Needle-Version").Single());
    }

    [TestMethod]
    public async Task PatchJob_SupersededRunWhoseWindowEndsLookingWorse_IsNotReverted()
    {
        var health = new FixedHealthSource { Default = new HealthSample(100, 1, 10) };
        await using var host = await StartWithoutJobServerAsync(health);
        var job = host.Get<PatchJob>();
        var first = await SubmitAsync(host, new { baseHash = await host.DeployOrdersAsync(Source), diff = Diff, reason = "fix" });
        await job.RunAsync(first, CancellationToken.None);

        var second = await SubmitAsync(host, new { baseHash = await HashAsync(host, 2), config = new { mode = "x" }, reason = "fix the fix" });
        health.Set("orders", 2, new HealthSample(100, 60, 10));
        host.Time.Advance(TimeSpan.FromMinutes(3));
        var firstOutcome = await job.RunAsync(first, CancellationToken.None);
        var stableAfterTheFirstWindow = (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>();
        var secondOutcome = await job.RunAsync(second, CancellationToken.None);
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");

        StringAssert.StartsWith(firstOutcome, "nothing to do: superseded");
        Assert.AreEqual(2, stableAfterTheFirstWindow, "the superseded patch's version was not reverted");
        StringAssert.StartsWith(secondOutcome, "version 3 serves all traffic");
        Assert.AreEqual(3, (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>());
        Assert.IsFalse(audit!.Any(e => e!["action"]!.GetValue<string>() is "patch-reverted" or "rollback"));
    }

    [TestMethod]
    public async Task Patch_SecondWhileTheFirstIsStillApplying_IsRefused()
    {
        await using var host = await StartWithoutJobServerAsync(new FixedHealthSource());
        var hash = await host.DeployOrdersAsync(Source);
        var first = await SubmitAsync(host, new { baseHash = hash, diff = Diff, reason = "fix" });

        using var second = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, config = new { mode = "x" }, reason = "second" });
        var text = await second.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.Conflict, second.StatusCode, text);
        StringAssert.Contains(text, "still being applied");
        Assert.AreEqual("queued", (await host.Get<IRollbackStateStore>().GetRunAsync(first, CancellationToken.None))!.Status);
        Assert.AreEqual(1, await host.VersionCountAsync());
    }

    [TestMethod]
    public async Task Patch_SecondAgainstTheBaseOfTheWatchedPatch_IsRefusedAsStale()
    {
        await using var host = await RollbackTestHost.StartAsync(health: new FixedHealthSource());
        var hash = await host.DeployOrdersAsync(Source);
        var first = await SubmitAndWaitAsync(host, hash);

        using var second = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, config = new { mode = "x" }, reason = "stale" });
        var text = await second.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.Conflict, second.StatusCode, text);
        StringAssert.Contains(text, "stale");
        Assert.AreEqual("watching", (await host.Get<IRollbackStateStore>().GetRunAsync(first, CancellationToken.None))!.Status);
        Assert.AreEqual(2, await host.VersionCountAsync());
    }

    [TestMethod]
    public async Task Patch_SameIdempotencyKeyTwice_RecordsOneRun()
    {
        await using var host = await RollbackTestHost.StartAsync(health: new FixedHealthSource());
        var hash = await host.DeployOrdersAsync(Source);
        var patch = new { baseHash = hash, diff = Diff, reason = "retry-safe", idempotencyKey = "k-1" };

        using var first = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", patch);
        using var second = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", patch);
        var a = await first.Content.ReadFromJsonAsync<JsonNode>();
        var b = await second.Content.ReadFromJsonAsync<JsonNode>();

        Assert.AreEqual(HttpStatusCode.Accepted, first.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, second.StatusCode);
        Assert.AreEqual(a!["id"]!.GetValue<string>(), b!["id"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Patch_KillSwitch_AnswersTheFallbackThroughTheJob()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await host.DeployOrdersAsync(Source);

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { fallback = new { status = 503, body = "{}" }, reason = "stop the bleeding" });
        var location = response.Headers.Location!.ToString();
        await Eventually.WaitAsync(async () => (await GetRunAsync(host, location))["status"]!.GetValue<string>() == "succeeded", "the kill switch patch");

        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, (await host.Client.GetAsync("/fn/orders")).StatusCode);
    }

    private static async Task<string> SubmitAndWaitAsync(RollbackTestHost host, string hash)
    {
        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, diff = Diff, reason = "fix" });
        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode, await response.Content.ReadAsStringAsync());
        var location = response.Headers.Location!.ToString();
        await Eventually.WaitAsync(async () => (await GetRunAsync(host, location))["status"]!.GetValue<string>() == "watching", "the patch job to apply the patch");
        return (await GetRunAsync(host, location))["id"]!.GetValue<string>();
    }

    /// <summary>
    /// For a host without a job server: submits the patch and runs its job once, as the queue would, so the run is
    /// watched. The test then drives the watch itself; with a server, the job's own re-check (every
    /// <see cref="PatchJob.WatchRecheck"/>, on the real clock) could judge the run between the test's Advance and its RunAsync.
    /// </summary>
    private static async Task<string> SubmitAndApplyAsync(RollbackTestHost host, string hash)
    {
        var id = await SubmitAsync(host, new { baseHash = hash, diff = Diff, reason = "fix" });
        var applied = await host.Get<PatchJob>().RunAsync(id, CancellationToken.None);
        StringAssert.StartsWith(applied, "version 2 serves all traffic");
        Assert.AreEqual(PatchRun.Watching, (await host.Get<IRollbackStateStore>().GetRunAsync(id, CancellationToken.None))!.Status);
        return id;
    }

    /// <summary>A host whose jobs are queued and never run by themselves: the test runs each step.</summary>
    private static Task<RollbackTestHost> StartWithoutJobServerAsync(ICanaryHealthSource health) =>
        RollbackTestHost.StartAsync(o => o.UseExistingHangfire(), health: health, services: s => s.AddSingleton<JobStorage>(new InMemoryStorage()));

    private static async Task<string> SubmitAsync(RollbackTestHost host, object patch)
    {
        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", patch);
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode, text);
        return JsonNode.Parse(text)!["id"]!.GetValue<string>();
    }

    private static async Task<string> HashAsync(RollbackTestHost host, int version) =>
        (await host.Client.GetFromJsonAsync<JsonNode>($"/needle/api/functions/orders/versions/{version}"))!["contentHash"]!.GetValue<string>();

    private static async Task<JsonNode> GetRunAsync(RollbackTestHost host, string location) =>
        (await host.Client.GetFromJsonAsync<JsonNode>(location))!;
}
