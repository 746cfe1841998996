using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.ControlPlane;

[TestClass]
public sealed class TestInvokeApiTests
{
    [TestMethod]
    public async Task Invoke_StagedVersion_ReturnsResponseAndLogsWithoutTakingTraffic()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("greet", "export default (req) => ({ v: 1 });");
        using var staged = await host.TryDeployAsync(
            "greet",
            "export default async (req, ctx) => { ctx.log.info('greeting', req.body.name); return { status: 201, headers: { 'x-test': 'yes' }, body: { hello: req.body.name, q: req.query.q } }; }",
            activate: false);

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/greet/versions/2/invoke", new
        {
            method = "POST",
            query = new Dictionary<string, string> { ["q"] = "search" },
            body = new { name = "Ada" },
        });
        var result = await response.Content.ReadFromJsonAsync<JsonNode>();
        var serving = await host.GetAsync("/fn/greet");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(201, result!["status"]!.GetValue<int>());
        Assert.AreEqual("Ada", result["body"]!["hello"]!.GetValue<string>());
        Assert.AreEqual("search", result["body"]!["q"]!.GetValue<string>());
        Assert.AreEqual("yes", result["headers"]!["x-test"]!.GetValue<string>());
        var log = result["logs"]!.AsArray().Single()!;
        Assert.AreEqual("info", log["level"]!.GetValue<string>());
        StringAssert.Contains(log["message"]!.GetValue<string>(), "greeting Ada");
        Assert.AreEqual("greet@1", serving.Version);
    }

    [TestMethod]
    public async Task Invoke_FailingVersion_ReportsTheFailureAndLogs()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("boom", "export default (req, ctx) => { ctx.log.warn('about to fail'); throw new Error('kaput'); };");

        var result = await (await host.Client.PostAsJsonAsync("/needle/api/functions/boom/versions/1/invoke", new { })).Content.ReadFromJsonAsync<JsonNode>();

        Assert.AreEqual(500, result!["status"]!.GetValue<int>());
        StringAssert.Contains(result["error"]!.GetValue<string>(), "kaput");
        Assert.AreEqual("about to fail", result["logs"]![0]!["message"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Invoke_UnknownVersion_Returns404()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("greet", "export default () => 1;");

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/greet/versions/5/invoke", new { });

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
    }
}
