using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Rollback.Guard;
using Needle.Rollback.Tests.Infrastructure;

namespace Needle.Rollback.Tests.Guard;

/// <summary>Through the real host: what the guard counts comes from Core, not from headers; verdicts explain themselves.</summary>
[TestClass]
public sealed class GuardEvidenceTests
{
    [TestMethod]
    public async Task Guard_IssueScenario2000SequentialRequestsWithoutUserKey_KeepsTheHealthyCanary()
    {
        // Default options, AddRollback + AddObservability, as a new user tries it.
        await using var host = await RollbackTestHost.StartAsync(observability: true);
        await host.DeployOrdersAsync("export default () => ({ ok: true });\n");
        using var deployed = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/versions", new { source = "export default () => ({ ok: true });\n", manifest = RollbackTestHost.Manifest, canary = new { weight = 10 } });
        Assert.IsTrue(deployed.IsSuccessStatusCode, await deployed.Content.ReadAsStringAsync());
        var guard = host.Get<CanaryGuard>();
        var verdicts = new List<GuardResult>();

        for (var i = 0; i < 2000; i++)
        {
            using var response = await host.Client.GetAsync("/fn/orders");
            Assert.IsTrue(response.IsSuccessStatusCode);
            if (i % 25 == 24)
            {
                verdicts.AddRange(await guard.EvaluateAllAsync(CancellationToken.None));
            }
        }

        var release = await host.ReleaseAsync();
        Assert.AreEqual(2, release["canaryVersion"]?.GetValue<int>(), "the healthy canary is still there");
        Assert.AreEqual(0, verdicts.Count(v => v.RolledBack || v.Decision.Verdict == GuardVerdict.Breach), string.Join("\n", verdicts.Where(v => v.Decision.Verdict == GuardVerdict.Breach).Select(v => v.Decision.Reason)));
        Assert.IsTrue(verdicts[^1].Decision.Verdict is GuardVerdict.Healthy or GuardVerdict.Marginal, verdicts[^1].Decision.Reason);
    }

    [TestMethod]
    [DataRow("Needle-Version", "orders@1", DisplayName = "poses as the stable version (the old source blamed v1)")]
    [DataRow("Needle-Release", "killed", DisplayName = "poses as a kill-switch answer (the old source skipped it)")]
    public async Task Guard_CanaryThatForgesNeedlesHeaders_IsStillCountedAsItselfAndRolledBack(string header, string value)
    {
        await using var host = await RollbackTestHost.StartAsync(o => o.GuardDebounce = TimeSpan.Zero);
        await host.DeployOrdersAsync();

        // It answers 500 while writing a header Needle owns.
        var source = $"export default () => ({{ status: 500, headers: {{ '{header}': '{value}' }}, body: {{ failed: true }} }});\n";
        using var canary = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/versions", new { source, manifest = RollbackTestHost.Manifest, canary = new { weight = 50 } });
        Assert.IsTrue(canary.IsSuccessStatusCode, await canary.Content.ReadAsStringAsync());

        for (var i = 0; i < 400 && (await host.ReleaseAsync())["canaryVersion"] is not null; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/fn/orders");
            request.Headers.Add("X-Needle-User", "user-" + i);
            using var _ = await host.Client.SendAsync(request);
        }

        await Eventually.WaitAsync(async () => (await host.ReleaseAsync())["canaryVersion"] is null, "the guard to roll the forging canary back");
        Assert.AreEqual(0, host.Health.GetSample("orders", 1, TimeSpan.FromMinutes(1)).Errors, "no error was put on the stable version");
    }

    [TestMethod]
    public async Task Guard_FunctionWritingRandomVersionHeaders_AddsNoHealthSeries()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await host.DeployOrdersAsync("export default () => ({ status: 200, headers: { 'Needle-Version': 'evil@' + Math.floor(Math.random() * 1e9) }, body: {} });\n");

        for (var i = 0; i < 50; i++)
        {
            using var _ = await host.Client.GetAsync("/fn/orders");
        }

        Assert.AreEqual(1, host.Health.SeriesCount, "only the version that served has figures");
        Assert.AreEqual(50, host.Health.GetSample("orders", 1, TimeSpan.FromMinutes(1)).Requests);
    }

    [TestMethod]
    public async Task Record_VersionsQuietForFiveMinutes_AreDroppedWhenANewOneStarts()
    {
        await using var host = await RollbackTestHost.StartAsync();
        for (var version = 1; version <= 20; version++)
        {
            host.Health.Record("orders", version, failed: false, TimeSpan.FromMilliseconds(5));
            host.Time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.IsTrue(host.Health.SeriesCount <= 6, $"{host.Health.SeriesCount} series kept");
        Assert.AreEqual(1, host.Health.GetSample("orders", 20, TimeSpan.FromMinutes(5)).Requests);
    }

    [TestMethod]
    [DataRow("csharp", "public sealed class H : INeedleFunction { public Task<object?> InvokeAsync(FunctionRequest r, FunctionContext c) => Task.FromResult<object?>(\"ok\"); }", DisplayName = "C#: a version's first call")]
    [DataRow("javascript", "export default () => ({ ok: true });\n", DisplayName = "JavaScript: the first call on the engine made at load")]
    public async Task Guard_VersionsFirstCall_IsCountedAsAColdStartAndLeftOutOfLatency(string runtime, string source)
    {
        await using var host = await RollbackTestHost.StartAsync(observability: true);
        using var deployed = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/versions", new { source, manifest = new { route = "/orders", methods = new[] { "GET" }, runtime } });
        Assert.IsTrue(deployed.IsSuccessStatusCode, await deployed.Content.ReadAsStringAsync());

        for (var i = 0; i < 3; i++)
        {
            using var _ = await host.Client.GetAsync("/fn/orders");
        }

        var own = host.Health.GetSample("orders", 1, TimeSpan.FromMinutes(1));
        var windows = host.Get<ICanaryHealthSource>().GetSample("orders", 1, TimeSpan.FromMinutes(1));
        var health = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/health/orders/1");

        Assert.AreEqual((3L, 1L, 2L), (own.Requests, own.ColdStarts, own.Latency!.Count));
        Assert.AreEqual((3L, 1L, 2L), (windows.Requests, windows.ColdStarts, windows.Latency!.Count));
        Assert.AreEqual(1, health!["windows"]![0]!["coldStarts"]!.GetValue<long>(), "the console shows the cold start");
    }

    [TestMethod]
    public async Task GetGuard_AndTheAudit_ShowTheNumbersTheTestAndItsPValue()
    {
        await using var host = await RollbackTestHost.StartAsync(o => o.Guard.ConsecutiveBreaches = 1);
        await CanaryGuardTests.StartCanaryAsync(host);
        CanaryGuardTests.Feed(host, stableRequests: 200, canaryRequests: 40, canaryErrors: 20);

        var verdicts = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/guard");
        await host.Get<CanaryGuard>().EvaluateAllAsync(CancellationToken.None);
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");

        var decision = verdicts!.Single()!["decision"]!;
        StringAssert.StartsWith(decision["reason"]!.GetValue<string>(), "error ratio 50.0 points above stable");
        var errors = decision["errors"]!;
        Assert.AreEqual(GuardPolicy.FisherTest, errors["test"]!.GetValue<string>());
        Assert.AreEqual((20, 40, 0, 200), (errors["canaryErrors"]!.GetValue<int>(), errors["canaryRequests"]!.GetValue<int>(), errors["stableErrors"]!.GetValue<int>(), errors["stableRequests"]!.GetValue<int>()));
        Assert.IsTrue(errors["pValue"]!.GetValue<double>() < 1e-10);
        Assert.AreEqual(0.01, errors["alpha"]!.GetValue<double>());
        Assert.IsNotNull(decision["latency"]!["limitMs"]);
        var reason = audit!.First(e => e!["action"]!.GetValue<string>() == "rollback")!["reason"]!.GetValue<string>();
        StringAssert.Contains(reason, "one-sided Fisher exact test p = ");
        StringAssert.Contains(reason, "20/40 errors");
    }
}
