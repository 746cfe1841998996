using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Rollback.Guard;
using Needle.Rollback.Plans;
using Needle.Rollback.Tests.Infrastructure;

namespace Needle.Rollback.Tests.Plans;

[TestClass]
public sealed class ReleasePlanTests
{
    [TestMethod]
    public async Task Plan_HealthyCanary_AdvancesStepByStepAndPromotes()
    {
        var health = new FixedHealthSource();
        await using var host = await RollbackTestHost.StartAsync(health: health);
        var (planId, _) = await StartPlanAsync(host);
        var job = host.Get<ReleasePlanJob>();

        var early = await job.AdvanceAsync(planId, 0, CancellationToken.None);
        host.Time.Advance(TimeSpan.FromSeconds(61));
        await job.AdvanceAsync(planId, 0, CancellationToken.None);
        var second = await host.ReleaseAsync();
        host.Time.Advance(TimeSpan.FromSeconds(61));
        await job.AdvanceAsync(planId, 1, CancellationToken.None);
        var final = await host.ReleaseAsync();
        var plan = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/orders/plans/current");

        StringAssert.StartsWith(early, "not due");
        Assert.AreEqual(50, second["canaryWeight"]!.GetValue<double>());
        Assert.AreEqual(2, final["stableVersion"]!.GetValue<int>());
        Assert.IsNull(final["canaryVersion"]?.GetValue<int?>());
        Assert.AreEqual("completed", plan!["status"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Plan_Breach_RollsBackAndEndsThePlan()
    {
        var health = new FixedHealthSource();
        await using var host = await RollbackTestHost.StartAsync(health: health);
        var (planId, _) = await StartPlanAsync(host);
        health.Set("orders", 2, new HealthSample(100, 30, 10));
        host.Time.Advance(TimeSpan.FromSeconds(61));

        await host.Get<ReleasePlanJob>().AdvanceAsync(planId, 0, CancellationToken.None);
        var release = await host.ReleaseAsync();
        var plan = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/orders/plans/current");

        Assert.IsNull(release["canaryVersion"]?.GetValue<int?>());
        Assert.AreEqual(1, release["stableVersion"]!.GetValue<int>());
        Assert.AreEqual("rolled-back", plan!["status"]!.GetValue<string>());
        StringAssert.Contains(plan["detail"]!.GetValue<string>(), "30/100 errors");
    }

    [TestMethod]
    public async Task Plan_TooLittleTraffic_HoldsTheStep()
    {
        var health = new FixedHealthSource();
        await using var host = await RollbackTestHost.StartAsync(health: health);
        var (planId, _) = await StartPlanAsync(host);
        health.Set("orders", 2, new HealthSample(3, 0, 10));
        host.Time.Advance(TimeSpan.FromSeconds(61));

        var outcome = await host.Get<ReleasePlanJob>().AdvanceAsync(planId, 0, CancellationToken.None);
        var release = await host.ReleaseAsync();

        StringAssert.StartsWith(outcome, "holding");
        Assert.AreEqual(10, release["canaryWeight"]!.GetValue<double>());
    }

    [TestMethod]
    public async Task Plan_SameStepDeliveredTwice_StepsOnce()
    {
        var health = new FixedHealthSource();
        await using var host = await RollbackTestHost.StartAsync(health: health);
        var (planId, _) = await StartPlanAsync(host);
        host.Time.Advance(TimeSpan.FromSeconds(61));
        var job = host.Get<ReleasePlanJob>();

        await job.AdvanceAsync(planId, 0, CancellationToken.None);
        var duplicate = await job.AdvanceAsync(planId, 0, CancellationToken.None);
        var releases = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/functions/orders/releases");

        StringAssert.StartsWith(duplicate, "nothing to do");
        Assert.AreEqual(1, releases!.Count(r => r!["canaryWeight"]!.GetValue<double>() == 50));
    }

    [TestMethod]
    public async Task Plan_SameStepOnTwoWorkersAtOnce_StepsOnce()
    {
        // Two nodes each resumed the running plan at start: both hold a job for the same step, due at the same moment.
        await using var host = await RollbackTestHost.StartAsync(health: new FixedHealthSource());
        var (planId, _) = await StartPlanAsync(host);
        host.Time.Advance(TimeSpan.FromSeconds(61));
        var jobs = Enumerable.Range(0, 4).Select(_ => host.Get<ReleasePlanJob>()).ToList();

        var outcomes = await Task.WhenAll(jobs.Select(job => Task.Run(() => job.AdvanceAsync(planId, 0, CancellationToken.None))));
        var releases = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/functions/orders/releases");
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");

        Assert.AreEqual(3, outcomes.Count(o => o.StartsWith("nothing to do", StringComparison.Ordinal)), string.Join(" | ", outcomes));
        Assert.AreEqual(1, releases!.Count(r => r!["canaryWeight"]!.GetValue<double>() == 50));
        Assert.AreEqual(1, audit!.Count(e => e!["reason"]?.GetValue<string>().Contains("plan step 2/3", StringComparison.Ordinal) == true));
    }

    [TestMethod]
    [DataRow("{\"version\":2,\"steps\":[10,5,100],\"stepWaitSeconds\":60,\"reason\":\"x\"}", HttpStatusCode.BadRequest, "strictly increase")]
    [DataRow("{\"version\":2,\"steps\":[10,50],\"stepWaitSeconds\":60}", HttpStatusCode.BadRequest, "last step must be 100")]
    [DataRow("{\"version\":9,\"steps\":[10,100],\"stepWaitSeconds\":60}", HttpStatusCode.NotFound, "no version 9")]
    public async Task StartPlan_InvalidPlan_IsRefusedAndNothingChanges(string body, HttpStatusCode expected, string message)
    {
        await using var host = await RollbackTestHost.StartAsync();
        await host.DeployOrdersAsync();
        await host.DeployInactiveAsync("export default () => ({ v: 2 });\n");

        using var response = await host.Client.PostAsync("/needle/api/functions/orders/plans", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        var release = await host.ReleaseAsync();

        Assert.AreEqual(expected, response.StatusCode, text);
        StringAssert.Contains(text, message);
        Assert.IsNull(release["canaryVersion"]?.GetValue<int?>());
        Assert.AreEqual(HttpStatusCode.NotFound, (await host.Client.GetAsync("/needle/api/functions/orders/plans/current")).StatusCode);
    }

    [TestMethod]
    public async Task StartPlan_WhileOneRuns_IsRefused()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await StartPlanAsync(host);

        using var second = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/plans", new { version = 2, steps = new[] { 20, 100 }, stepWaitSeconds = 60 });

        Assert.AreEqual(HttpStatusCode.Conflict, second.StatusCode);
    }

    [TestMethod]
    public async Task CancelPlan_Default_AbortsTheCanaryAndAuditsTheReason()
    {
        await using var host = await RollbackTestHost.StartAsync();
        var (planId, _) = await StartPlanAsync(host);

        using var cancel = await host.Client.DeleteAsync("/needle/api/functions/orders/plans/current?reason=wrong%20build");
        var plan = await cancel.Content.ReadFromJsonAsync<JsonNode>();
        host.Time.Advance(TimeSpan.FromSeconds(61));
        var outcome = await host.Get<ReleasePlanJob>().AdvanceAsync(planId, 0, CancellationToken.None);
        var release = await host.ReleaseAsync();
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");
        var served = await host.Client.GetAsync("/fn/orders");

        Assert.AreEqual(HttpStatusCode.OK, cancel.StatusCode);
        Assert.AreEqual("cancelled", plan!["status"]!.GetValue<string>());
        StringAssert.Contains(plan["detail"]!.GetValue<string>(), "canary v2 aborted");
        StringAssert.Contains(outcome, "cancelled");
        Assert.IsNull(release["canaryVersion"]?.GetValue<int?>());
        Assert.AreEqual(1, release["stableVersion"]!.GetValue<int>());
        Assert.AreEqual("orders@1", served.Headers.GetValues("Needle-Version").Single());
        var cancelled = audit!.First(e => e!["action"]!.GetValue<string>() == "plan-cancel")!;
        Assert.AreEqual("wrong build", cancelled["reason"]!.GetValue<string>());
        StringAssert.Contains(cancelled["detail"]!.GetValue<string>(), "canary=aborted");
        StringAssert.Contains(audit!.First(e => e!["action"]!.GetValue<string>() == "abort")!["reason"]!.GetValue<string>(), "wrong build");
    }

    [TestMethod]
    public async Task CancelPlan_KeepCanary_StopsThePlanAndLeavesTheCanaryAtItsWeight()
    {
        await using var host = await RollbackTestHost.StartAsync();
        var (planId, _) = await StartPlanAsync(host);

        using var cancel = await host.Client.DeleteAsync("/needle/api/functions/orders/plans/current?keepCanary=true&reason=hold%20here");
        var plan = await cancel.Content.ReadFromJsonAsync<JsonNode>();
        host.Time.Advance(TimeSpan.FromSeconds(61));
        var outcome = await host.Get<ReleasePlanJob>().AdvanceAsync(planId, 0, CancellationToken.None);
        var release = await host.ReleaseAsync();
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");

        Assert.AreEqual(HttpStatusCode.OK, cancel.StatusCode);
        StringAssert.Contains(plan!["detail"]!.GetValue<string>(), "canary v2 kept at 10 %");
        StringAssert.Contains(outcome, "cancelled");
        Assert.AreEqual(2, release["canaryVersion"]!.GetValue<int>());
        Assert.AreEqual(10, release["canaryWeight"]!.GetValue<double>());
        StringAssert.Contains(audit!.First(e => e!["action"]!.GetValue<string>() == "plan-cancel")!["detail"]!.GetValue<string>(), "canary=kept");
        Assert.IsFalse(audit!.Any(e => e!["action"]!.GetValue<string>() == "abort"));
    }

    [TestMethod]
    public async Task CancelPlan_SomeoneElsesCanaryRunsByNow_LeavesItAlone()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await StartPlanAsync(host);
        var third = await host.DeployInactiveAsync("export default () => ({ v: 3 });\n");
        using var replaced = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/canary", new { version = third, weight = 5, reason = "another canary" });
        Assert.AreEqual(HttpStatusCode.OK, replaced.StatusCode, await replaced.Content.ReadAsStringAsync());

        using var cancel = await host.Client.DeleteAsync("/needle/api/functions/orders/plans/current");
        var plan = await cancel.Content.ReadFromJsonAsync<JsonNode>();
        var release = await host.ReleaseAsync();

        Assert.AreEqual(HttpStatusCode.OK, cancel.StatusCode);
        StringAssert.Contains(plan!["detail"]!.GetValue<string>(), "no longer ran");
        Assert.AreEqual(third, release["canaryVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task CancelPlan_NoneRunning_IsNotFound()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await host.DeployOrdersAsync();

        using var cancel = await host.Client.DeleteAsync("/needle/api/functions/orders/plans/current");

        Assert.AreEqual(HttpStatusCode.NotFound, cancel.StatusCode);
    }

    [TestMethod]
    public async Task Plan_HostRestartMidPlan_ResumesOnTheNewHost()
    {
        using var directory = TemporaryDirectory.Create("needle-rollback-tests");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        await using (var first = await RollbackTestHost.StartAsync(directory: directory.Path, time: time))
        {
            await StartPlanAsync(first);
        }

        // The step fell due while no host ran; the new host resumes it at start from the plan's row.
        time.Advance(TimeSpan.FromMinutes(5));
        await using var second = await RollbackTestHost.StartAsync(directory: directory.Path, time: time, health: new FixedHealthSource());

        await Eventually.WaitAsync(async () => (await second.ReleaseAsync())["canaryWeight"]!.GetValue<double>() == 50, "the plan to take its next step");
        var plan = await second.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/orders/plans/current");
        Assert.AreEqual(1, plan!["stepIndex"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task StartPlan_Created_LocationIsTheCurrentPlanUnderTheApiPrefix()
    {
        await using var host = await RollbackTestHost.StartAsync(health: new FixedHealthSource());
        await host.DeployOrdersAsync();
        await host.DeployInactiveAsync("export default () => ({ v: 2 });\n");

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/plans", new { version = 2, steps = new[] { 10, 100 }, stepWaitSeconds = 60 });
        var located = await host.Client.GetFromJsonAsync<JsonNode>(response.Headers.Location!);

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual("/needle/api/functions/orders/plans/current", response.Headers.Location!.OriginalString);
        Assert.AreEqual(2, located!["version"]!.GetValue<int>());
    }

    private static async Task<(string PlanId, JsonNode Plan)> StartPlanAsync(RollbackTestHost host)
    {
        await host.DeployOrdersAsync();
        await host.DeployInactiveAsync("export default () => ({ v: 2 });\n");
        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/plans", new { version = 2, steps = new[] { 10, 50, 100 }, stepWaitSeconds = 60, reason = "gradual" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, text);
        var plan = JsonNode.Parse(text)!;
        return (plan["id"]!.GetValue<string>(), plan);
    }
}
