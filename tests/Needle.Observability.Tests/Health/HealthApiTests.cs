using System.Text.Json.Nodes;
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
        for (var i = 0; i < 3; i++)
        {
            await host.GetAsync("/fn/greet");
        }

        await host.GetAsync("/fn/greet?fail=1");

        var (status, body, _) = await host.GetAsync("/needle/api/health");
        Assert.AreEqual(200, status, body);
        var summary = JsonNode.Parse(body)!;
        Assert.AreEqual("test-node", summary["nodeId"]!.GetValue<string>());
        Assert.AreEqual("[\"10s\",\"1m\",\"5m\"]", summary["windows"]!.ToJsonString());
        var function = summary["functions"]!.AsArray().Single(f => f!["function"]!.GetValue<string>() == "greet")!;
        var tenSeconds = function["windows"]![0]!;
        Assert.AreEqual(4, tenSeconds["requests"]!.GetValue<long>());
        Assert.AreEqual(1, tenSeconds["errors"]!.GetValue<long>());
        Assert.AreEqual(0.25, tenSeconds["errorRatio"]!.GetValue<double>(), 1e-9);
        Assert.IsNotNull(tenSeconds["p99Ms"]);
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
}
