using System.Net;
using System.Net.Http.Json;
using Needle.Client;

namespace Needle.Cluster.Tests;

/// <summary>
/// Needle.Rollback's jobs on three sample hosts sharing one PostgreSQL (Hangfire.PostgreSql in schema <c>needle_jobs</c>,
/// plans in the store's database): the recurring backstop and each release plan step run once per cluster, not once per node.
/// </summary>
[TestClass]
public sealed class ClusterJobsTests
{
    [TestMethod]
    public async Task ReleasePlan_TwoStepsOnThreeNodesWithDuplicateStepJobs_ChangesTheReleaseOncePerStep()
    {
        await using var cluster = await TestCluster.StartAsync(3, new Dictionary<string, string>
        {
            ["Needle:Rollback:SchedulePollingInterval"] = "00:00:01",
        });
        await cluster[0].Client.DeployAsync("hello", "export default async () => 'v1';");
        await cluster.WaitForAllAsync("/fn/hello", "hello@1", TimeSpan.FromSeconds(60));
        await cluster[0].Client.DeployAsync("hello", "export default async () => 'v2';", activate: false);
        using var traffic = new CancellationTokenSource();
        var load = SendTrafficAsync(cluster, traffic.Token);

        var sincePlanStart = System.Diagnostics.Stopwatch.StartNew();
        using var started = await cluster[1].Client.PostAsJsonAsync(
            "/needle/api/functions/hello/plans", new { version = 2, steps = new[] { 50, 100 }, stepWaitSeconds = 60, reason = "cluster plan" });
        Assert.AreEqual(HttpStatusCode.Created, started.StatusCode, await started.Content.ReadAsStringAsync());

        // Each restarted node resumes the running plan at start: a second and a third job for the same step, due together.
        await Task.WhenAll(RestartAsync(cluster[0]), RestartAsync(cluster[2]));
        var duplicates = await Eventually.ValueAsync(
            () => cluster.ScalarAsync("SELECT COUNT(*) FROM needle_jobs.job WHERE invocationdata::text LIKE '%ReleasePlanJob%'"),
            n => n >= 3,
            "a job for the first step from the node that started the plan and from each restarted node",
            TimeSpan.FromSeconds(30));
        var stillAtFirstStep = (await cluster[1].Client.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/needle/api/functions/hello/plans/current"))!;

        // Read before the first step was due (the plan started after the stopwatch): then it must not have moved yet. On a
        // loaded machine two restarts can outlast the 60 s step wait; the step then ran, and once is all that is checked.
        var readBeforeTheStepWasDue = sincePlanStart.Elapsed < TimeSpan.FromSeconds(60);
        var plan = await Eventually.ValueAsync(
            async () => (await cluster[2].Client.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/needle/api/functions/hello/plans/current"))!,
            p => p["status"]!.GetValue<string>() != "running",
            "the plan to finish",
            TimeSpan.FromSeconds(120),
            TimeSpan.FromMilliseconds(500));
        await traffic.CancelAsync();
        await load;
        var audit = await cluster[0].Api.ListAuditAsync("hello");

        Assert.AreEqual("completed", plan["status"]!.GetValue<string>(), plan.ToJsonString());
        Assert.AreEqual(1, audit.Count(e => e.Reason?.Contains("plan step 1/2", StringComparison.Ordinal) == true), Describe(audit));
        Assert.AreEqual(1, audit.Count(e => e.Reason?.Contains("plan step 2/2", StringComparison.Ordinal) == true), Describe(audit));
        if (readBeforeTheStepWasDue)
        {
            Assert.AreEqual(0, stillAtFirstStep["stepIndex"]!.GetValue<int>(), "read before the first step was due: " + stillAtFirstStep.ToJsonString());
        }
        else
        {
            System.Console.WriteLine($"The restarts outlasted the step wait; the first step's index was not checked: {stillAtFirstStep.ToJsonString()}");
        }

        Assert.IsGreaterThanOrEqualTo(3L, duplicates ?? 0);
        await cluster.WaitForAllAsync("/fn/hello", "hello@2", TimeSpan.FromSeconds(60));
    }

    [TestMethod]
    public async Task GuardBackstop_EveryFiveSecondsOnThreeNodes_RunsOncePerPeriodForTheCluster()
    {
        await using var cluster = await TestCluster.StartAsync(3, new Dictionary<string, string>
        {
            ["Needle:Rollback:GuardCron"] = "*/5 * * * * *",
            ["Needle:Rollback:SchedulePollingInterval"] = "00:00:01",
        });
        await Eventually.WaitAsync(
            async () => await cluster.ScalarAsync("SELECT COUNT(*) FROM needle_jobs.server") == 3,
            "three Hangfire servers on the cluster's storage",
            TimeSpan.FromSeconds(60));
        var before = await cluster.ScalarAsync("SELECT MAX(id) FROM needle_jobs.job") ?? 0;

        await Task.Delay(TimeSpan.FromSeconds(30));
        var runs = await cluster.ScalarAsync($"SELECT COUNT(*) FROM needle_jobs.job WHERE id > {before} AND invocationdata::text LIKE '%GuardCheckJob%'");
        var succeeded = await Eventually.ValueAsync(
            () => cluster.ScalarAsync($"SELECT COUNT(*) FROM needle_jobs.job WHERE id > {before} AND invocationdata::text LIKE '%GuardCheckJob%' AND statename = 'Succeeded'"),
            n => n >= runs,
            "the backstop runs to finish",
            TimeSpan.FromSeconds(30));

        // Thirty seconds hold six periods (seven with the edges); one run per node per period would be about eighteen.
        Assert.IsTrue(runs is >= 3 and <= 7, $"{runs} backstop runs in 30 s on three nodes");
        Assert.IsGreaterThanOrEqualTo(runs ?? 0, succeeded ?? 0);
    }

    private static async Task RestartAsync(ClusterNode node)
    {
        await node.StopAsync();
        await node.RestartAsync();
    }

    // Requests to every running node keep each node's health windows full, so whichever node runs a step judges a healthy canary.
    private static async Task SendTrafficAsync(TestCluster cluster, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var node in cluster.Nodes)
            {
                try
                {
                    using var _ = await node.Client.GetAsync("/fn/hello", cancellationToken);
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
                {
                    // A node being restarted, or the end of the test.
                }
            }
        }
    }

    private static string Describe(IReadOnlyList<AuditEvent> audit) =>
        string.Join("\n", audit.Select(e => $"{e.Action} v{e.Version} by {e.Actor}: {e.Reason}"));
}
