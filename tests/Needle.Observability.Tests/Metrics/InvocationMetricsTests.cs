using Needle.Observability.Tests.Infrastructure;
using Needle.Telemetry;
using static Needle.Telemetry.NeedleMetricNames;

namespace Needle.Observability.Tests.Metrics;

/// <summary>The Needle meter as a real host serves real invocations.</summary>
[TestClass]
public sealed class InvocationMetricsTests
{
    private const string Source = """
        export default async (req) => {
          if (req.query.mode === 'throw') throw new Error('broken on purpose');
          if (req.query.mode === 'spin') { while (true) {} }
          return { ok: true };
        };
        """;

    [TestMethod]
    public async Task Invoke_SuccessErrorAndTimeout_MoveCountersAndHistogramWithTheirOutcome()
    {
        await using var host = await TestHost.StartAsync();
        using var recorder = new MeasurementRecorder(host.Services);
        await host.DeployAsync("meter", Source, new { limits = new { timeoutMs = 200 } });

        Assert.AreEqual(200, (await host.GetAsync("/fn/meter")).Status);
        Assert.AreEqual(200, (await host.GetAsync("/fn/meter")).Status);
        Assert.AreEqual(500, (await host.GetAsync("/fn/meter?mode=throw")).Status);
        Assert.AreEqual(504, (await host.GetAsync("/fn/meter?mode=spin")).Status);

        var invocations = recorder.Of(Invocations);
        Assert.AreEqual(4, invocations.Count);
        Assert.AreEqual(2, invocations.Count(m => m[OutcomeTag] == "success"));
        Assert.AreEqual(1, invocations.Count(m => m[OutcomeTag] == "error"));
        Assert.AreEqual(1, invocations.Count(m => m[OutcomeTag] == "timeout"));
        Assert.IsTrue(invocations.All(m => m[FunctionTag] == "meter" && m[VersionTag] == "1" && m[RoleTag] == "stable"));

        var durations = recorder.Of(InvokeDuration);
        Assert.AreEqual(4, durations.Count);
        var timeout = durations.Single(m => m[OutcomeTag] == "timeout");
        Assert.IsTrue(timeout.Value is >= 0.15 and < 5, $"a 200 ms timeout took {timeout.Value} s");

        var errors = recorder.Of(Errors);
        CollectionAssert.AreEquivalent(new[] { "error", "timeout" }, errors.Select(m => m[ErrorTypeTag]).ToArray());
        Assert.AreEqual(1, recorder.Of(Timeouts).Count);
    }

    [TestMethod]
    public async Task Invoke_CanaryBesideStable_TagsEachRoleWithItsOwnVersion()
    {
        await using var host = await TestHost.StartAsync();
        using var recorder = new MeasurementRecorder(host.Services);
        await host.DeployAsync("split", "export default () => ({ v: 1 });");
        await host.DeployAsync("split", "export default () => ({ v: 2 });", canary: new { weight = 50 });

        for (var i = 0; i < 60; i++)
        {
            Assert.AreEqual(200, (await host.GetAsync("/fn/split")).Status);
        }

        var invocations = recorder.Of(Invocations);
        var stable = invocations.Where(m => m[RoleTag] == "stable").ToList();
        var canary = invocations.Where(m => m[RoleTag] == "canary").ToList();
        Assert.AreEqual(60, stable.Count + canary.Count);
        Assert.IsTrue(stable.Count > 0 && canary.Count > 0, $"stable {stable.Count}, canary {canary.Count}");
        Assert.IsTrue(stable.All(m => m[VersionTag] == "1"));
        Assert.IsTrue(canary.All(m => m[VersionTag] == "2"));
    }

    [TestMethod]
    public async Task Deploy_NewVersionsAndARollback_CountsDeploymentsAndRollbacks()
    {
        await using var host = await TestHost.StartAsync();
        using var recorder = new MeasurementRecorder(host.Services);
        await host.DeployAsync("moves", "export default () => 1;");
        await host.DeployAsync("moves", "export default () => 2;");

        using var rollback = await host.Client.PostAsync("/needle/api/functions/moves/rollback", null);

        Assert.IsTrue(rollback.IsSuccessStatusCode, await rollback.Content.ReadAsStringAsync());
        Assert.AreEqual(2, recorder.Of(Deployments).Where(m => m[FunctionTag] == "moves").Sum(m => m.Value));
        Assert.AreEqual(1, recorder.Of(Rollbacks).Where(m => m[FunctionTag] == "moves").Sum(m => m.Value));
    }

    [TestMethod]
    public async Task Invoke_ConcurrentCallsBeyondTheFirstEngine_CountColdStarts()
    {
        await using var host = await TestHost.StartAsync();
        using var recorder = new MeasurementRecorder(host.Services);
        await host.DeployAsync("cold", "export default () => { const end = Date.now() + 100; while (Date.now() < end) {} return 1; };");

        var calls = Enumerable.Range(0, 4).Select(_ => host.GetAsync("/fn/cold"));
        await Task.WhenAll(calls);

        Assert.IsTrue(recorder.Of(ColdStarts).Count >= 1, "four concurrent calls on one engine must create more");
        Assert.IsTrue(recorder.Of(InitDuration).All(m => m.Value > 0));
    }
}
