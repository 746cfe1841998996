using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Needle.Hosting;
using Needle.Observability.Tests.Infrastructure;

namespace Needle.Observability.Tests.Health;

/// <summary>The health windows through the control-plane API of a real host.</summary>
[TestClass]
public sealed class HealthApiTests
{
    [TestMethod]
    public async Task GetHealth_AfterCalls_ShowsSummaryFunctionAndVersion()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("greet", "export default (req) => { if (req.query.fail) throw new Error('no greeting'); return 'hi'; };");
        var sinceTheFirstCall = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 3; i++)
        {
            await host.GetAsync("/fn/greet");
        }

        await host.GetAsync("/fn/greet?fail=1");

        var (status, body, _) = await host.GetAsync("/needle/api/health");

        // The 10 s window is whole seconds, the last ten: the calls are all in it when the read answered within 9 s of the first.
        var callsFitTheTenSecondWindow = sinceTheFirstCall.Elapsed < TimeSpan.FromSeconds(9);
        Assert.AreEqual(200, status, body);
        var summary = JsonNode.Parse(body)!;
        Assert.AreEqual("test-node", summary["nodeId"]!.GetValue<string>());
        Assert.AreEqual("[\"10s\",\"1m\",\"5m\"]", summary["windows"]!.ToJsonString());
        var function = summary["functions"]!.AsArray().Single(f => f!["function"]!.GetValue<string>() == "greet")!;
        var windows = function["windows"]!.AsArray();
        Assert.AreEqual("5m", windows[2]!["window"]!.GetValue<string>());

        // Always the 5-minute window; the 10 s one too when the calls fit it (on a loaded machine four calls and the
        // read can take longer, and the first call then has left it).
        foreach (var window in callsFitTheTenSecondWindow ? new[] { windows[0]!, windows[2]! } : new[] { windows[2]! })
        {
            Assert.AreEqual(4, window["requests"]!.GetValue<long>(), window.ToJsonString());
            Assert.AreEqual(1, window["errors"]!.GetValue<long>(), window.ToJsonString());
            Assert.AreEqual(0.25, window["errorRatio"]!.GetValue<double>(), 1e-9, window.ToJsonString());
            Assert.IsNotNull(window["p99Ms"], window.ToJsonString());
        }

        StringAssert.Contains(function["lastError"]!["message"]!.GetValue<string>(), "no greeting");

        var (functionStatus, functionBody, _) = await host.GetAsync("/needle/api/health/greet");
        Assert.AreEqual(200, functionStatus, functionBody);
        Assert.AreEqual(1, JsonNode.Parse(functionBody)!["stableVersion"]!.GetValue<int>());

        var (versionStatus, versionBody, _) = await host.GetAsync("/needle/api/health/greet/1");
        Assert.AreEqual(200, versionStatus, versionBody);
        var version = JsonNode.Parse(versionBody)!;
        Assert.AreEqual("stable", version["role"]!.GetValue<string>());
        Assert.AreEqual(4, version["windows"]![2]!["requests"]!.GetValue<long>());

        Assert.AreEqual(404, (await host.GetAsync("/needle/api/health/nobody")).Status);
        Assert.AreEqual(404, (await host.GetAsync("/needle/api/health/greet/7")).Status);
    }

    [TestMethod]
    public async Task MapNeedleApi_WithObservability_PutsHealthInTheControlPlaneGroup()
    {
        await using var host = await TestHost.StartAsync();

        var openApi = await host.GetAsync("/needle/api/openapi/needle.json");

        StringAssert.Contains(openApi.Body, "/needle/api/health/{function}/{version}");
    }

    [TestMethod]
    public async Task GetHealth_ScopeCluster_AddsUpTheOtherNodesCallsAndScopeNodeDoesNot()
    {
        using var folder = TemporaryDirectory.Create("needle-obs-cluster");
        static void Fast(INeedleBuilder b) => b.AddObservability(o => o.HealthPublishInterval = TimeSpan.FromMilliseconds(200));
        await using var a = await TestHost.StartAsync(needle: Fast, directory: folder.Path, nodeId: "node-a");
        await using var b = await TestHost.StartAsync(needle: Fast, directory: folder.Path, nodeId: "node-b");
        await a.DeployAsync("greet", "export default (req) => { if (req.query.fail) throw new Error('no greeting'); return 'hi'; };");
        await Eventually.WaitAsync(async () => (await b.GetAsync("/fn/greet")).Status == 200, "node B serves what node A deployed");
        for (var i = 0; i < 3; i++)
        {
            Assert.AreEqual(200, (await a.GetAsync("/fn/greet")).Status);
        }

        for (var i = 0; i < 4; i++)
        {
            Assert.AreEqual(500, (await b.GetAsync("/fn/greet?fail=1")).Status);
        }

        var cluster = await Eventually.ValueAsync(
            async () => JsonNode.Parse((await a.GetAsync("/needle/api/health?scope=cluster")).Body)!,
            json => Greet(json)?["windows"]![1]!["errors"]!.GetValue<long>() == 4,
            "node A's cluster figures count node B's four failures");
        var node = JsonNode.Parse((await a.GetAsync("/needle/api/health?scope=node")).Body)!;

        Assert.AreEqual("cluster", cluster["scope"]!.GetValue<string>());
        CollectionAssert.IsSubsetOf(new[] { "node-a", "node-b" }, cluster["nodes"]!.AsArray().Select(n => n!["nodeId"]!.GetValue<string>()).ToArray());
        var minute = Greet(cluster)!["windows"]![1]!;
        Assert.AreEqual(4.0 / minute["requests"]!.GetValue<long>(), minute["errorRatio"]!.GetValue<double>(), 1e-9);
        Assert.IsGreaterThanOrEqualTo(8L, minute["requests"]!.GetValue<long>(), "A's 3 and B's 4 and B's first call");
        Assert.AreEqual(0, Greet(node)!["windows"]![1]!["errors"]!.GetValue<long>(), "scope=node is node A's alone");
        var function = JsonNode.Parse((await a.GetAsync("/needle/api/health/greet?scope=cluster")).Body)!;
        Assert.AreEqual(4, function["windows"]![1]!["errors"]!.GetValue<long>());
    }

    [TestMethod]
    public async Task GetHealth_UnknownScope_AnswersProblemDetailsNamingTheParameter()
    {
        await using var host = await TestHost.StartAsync();

        var (status, body, _) = await host.GetAsync("/needle/api/health?scope=everywhere");
        var function = await host.GetAsync("/needle/api/health/greet?scope=all");

        Assert.AreEqual(400, status, body);
        StringAssert.Contains(body, "'scope' is 'everywhere'");
        StringAssert.Contains(body, "'cluster'");
        Assert.AreEqual(400, function.Status, function.Body);
    }

    private static JsonNode? Greet(JsonNode summary) =>
        summary["functions"]!.AsArray().SingleOrDefault(f => f!["function"]!.GetValue<string>() == "greet");
}
