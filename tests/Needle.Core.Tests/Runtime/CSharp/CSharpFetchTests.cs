using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.CSharp;

/// <summary>context.FetchAsync through the real host to a real downstream on loopback: the same rules as ctx.fetch.</summary>
[TestClass]
public sealed class CSharpFetchTests
{
    private static DownstreamServer s_downstream = null!;
    private static TestHost s_host = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        s_downstream = await DownstreamServer.StartAsync();
        s_host = await TestHost.StartAsync(needle: n => n.AddDownstream("backend", s_downstream.Address));
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        await s_host.DisposeAsync();
        await s_downstream.DisposeAsync();
    }

    [TestMethod]
    public async Task Fetch_RegisteredAndListedService_ReturnsItsJson()
    {
        await s_host.DeployAsync("cs-user", CSharpTestHost.Handler("""
            var r = await context.FetchAsync($"http://backend/users/{request.RouteValues["id"]}");
            var user = r.Json<JsonObject>()!;
            return new { r.Status, ok = r.IsSuccess, name = user["name"]!.GetValue<string>(), type = r.Headers["content-type"] };
            """), new { runtime = "csharp", route = "/cs-user/{id}", services = new[] { "backend" } });

        var (status, body, _) = await s_host.GetAsync("/fn/cs-user/5");

        Assert.AreEqual(200, status, body);
        var json = JsonNode.Parse(body)!;
        Assert.AreEqual("User 5", json["name"]!.GetValue<string>());
        Assert.AreEqual(200, json["status"]!.GetValue<int>());
        StringAssert.StartsWith(json["type"]!.GetValue<string>(), "application/json");
    }

    [TestMethod]
    public async Task Fetch_PostWithObjectBody_SendsJson()
    {
        await s_host.DeployAsync("cs-poster", CSharpTestHost.Handler("""
            var r = await context.FetchAsync("http://backend/echo", new FetchOptions { Method = "POST", Body = new { A = 1 } });
            return r.Text;
            """), new { runtime = "csharp", services = new[] { "backend" } });

        var (status, body, _) = await s_host.GetAsync("/fn/cs-poster");

        Assert.AreEqual(200, status, body);
        StringAssert.Contains(body, "\"a\":1");
    }

    [TestMethod]
    [DataRow("http://example.com/", "not a downstream service registered", DisplayName = "unregistered host")]
    [DataRow("file:///etc/passwd", "not an absolute http(s) URL", DisplayName = "file URL")]
    [DataRow("http://backend/users/1", "may not call 'backend'", DisplayName = "service not in the manifest")]
    public async Task Fetch_AnythingButAListedService_ThrowsAFetchExceptionTheFunctionCanCatch(string url, string expected)
    {
        await s_host.DeployAsync("cs-probe", CSharpTestHost.Handler($$"""
            try { await context.FetchAsync("{{url}}"); return "reached"; }
            catch (FetchException e) { return new { refused = e.Message }; }
            """), new { runtime = "csharp" });

        var (status, body, _) = await s_host.GetAsync("/fn/cs-probe");

        Assert.AreEqual(200, status, body);
        StringAssert.Contains(body, expected);
    }
}
