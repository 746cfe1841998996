using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Routing;

/// <summary>Bad functions and bad requests through the real host: each gets a clear answer and nothing else is touched.</summary>
[TestClass]
public sealed class FunctionInvocationTests
{
    private const string Healthy = "export default () => ({ ok: true });";

    [TestMethod]
    public async Task Invoke_HandlerThrows_Returns500ProblemWithoutStackAndOthersServe()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("healthy", Healthy);
        await host.DeployAsync("thrower", "export default () => { throw new Error('database said no'); };");

        var failed = await host.GetAsync("/fn/thrower");
        var healthy = await host.GetAsync("/fn/healthy");

        Assert.AreEqual(500, failed.Status);
        StringAssert.Contains(failed.Body, "database said no");
        Assert.IsFalse(failed.Body.Contains("at ", StringComparison.Ordinal) && failed.Body.Contains(".cs:", StringComparison.Ordinal), failed.Body);
        Assert.AreEqual(200, healthy.Status);
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Invoke_InfiniteLoop_Returns504AndTheNextCallWorks()
    {
        await using var host = await TestHost.StartAsync();
        // No statement limit to speak of: a warm engine would otherwise reach it (500) before the 300 ms timeout this test is about.
        await host.DeployAsync("spin", "let calls = 0; export default (req) => { calls++; if (req.query.spin) { while (true) {} } return { calls }; };", new { limits = new { timeoutMs = 300, maxStatements = int.MaxValue } });

        var watch = Stopwatch.StartNew();
        var spun = await host.GetAsync("/fn/spin?spin=1");
        watch.Stop();
        var next = await host.GetAsync("/fn/spin");

        Assert.AreEqual(504, spun.Status, spun.Body);
        Assert.IsTrue(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.AreEqual(200, next.Status);
    }

    [TestMethod]
    public async Task Invoke_MemoryBomb_Returns500NamingTheMemoryLimit()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("bomb", "export default () => { const a = []; while (true) { a.push('x'.repeat(1024) + a.length); } };", new { limits = new { memoryMb = 16, timeoutMs = 10000 } });
        await host.DeployAsync("healthy", Healthy);

        var bomb = await host.GetAsync("/fn/bomb");
        var healthy = await host.GetAsync("/fn/healthy");

        Assert.AreEqual(500, bomb.Status, bomb.Body);
        Assert.AreEqual("memory", JsonNode.Parse(bomb.Body)!["limit"]!.GetValue<string>());
        Assert.AreEqual(200, healthy.Status);
    }

    [TestMethod]
    public async Task Invoke_UnboundedRecursion_Returns500NamingTheRecursionLimit()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("deep", "function f(n) { return f(n + 1) + 1; } export default () => f(0);");

        var deep = await host.GetAsync("/fn/deep");

        Assert.AreEqual(500, deep.Status, deep.Body);
        Assert.AreEqual("recursion", JsonNode.Parse(deep.Body)!["limit"]!.GetValue<string>());
    }

    [TestMethod]
    [DataRow("importNamespace('System.IO')", DisplayName = "importNamespace")]
    [DataRow("require('fs')", DisplayName = "require")]
    [DataRow("process.env", DisplayName = "process")]
    [DataRow("System.IO.File", DisplayName = "System")]
    [DataRow("Function('return this')().host.toString()", DisplayName = "global host")]
    [DataRow("clrHelper.getType()", DisplayName = "clr helper")]
    public async Task Invoke_ReachingForTheHost_FailsInsideTheSandbox(string expression)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("escape", $"export default () => {{ return String({expression}); }};");

        var result = await host.GetAsync("/fn/escape");
        var again = await host.GetAsync("/fn/escape");

        Assert.AreEqual(500, result.Status, result.Body);
        Assert.AreEqual("Function failed", JsonNode.Parse(result.Body)!["title"]!.GetValue<string>());
        Assert.AreEqual(500, again.Status);
    }

    [TestMethod]
    public async Task Invoke_UnserialisableResult_Returns500InvalidResponse()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("circular", "export default () => { const a = {}; a.self = a; return a; };");

        var result = await host.GetAsync("/fn/circular");

        Assert.AreEqual(500, result.Status, result.Body);
        Assert.AreEqual("Invalid function response", JsonNode.Parse(result.Body)!["title"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Invoke_BodyOverTheLimit_Returns413()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("upload", "export default (req) => ({ size: req.rawBody.length });", new { limits = new { maxRequestBodyKb = 1 } });

        using var small = await host.Client.PostAsync("/fn/upload", new StringContent(new string('a', 500)));
        using var large = await host.Client.PostAsync("/fn/upload", new StringContent(new string('a', 5000)));
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/fn/upload") { Content = new StreamContent(new MemoryStream(new byte[5000])) };
        chunked.Headers.TransferEncodingChunked = true;
        using var chunkedResponse = await host.Client.SendAsync(chunked);

        Assert.AreEqual(HttpStatusCode.OK, small.StatusCode);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, chunkedResponse.StatusCode);
    }

    [TestMethod]
    public async Task Invoke_RequestShape_ReachesTheFunction()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("echo", "export default (req, ctx) => ({ method: req.method, path: req.path, id: req.params.id, q: req.query.q, h: req.headers['x-thing'], body: req.body, rid: typeof ctx.requestId });", new { route = "/echo/{id}", methods = new[] { "POST" } });

        using var response = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/fn/echo/42?q=find")
        {
            Content = new StringContent("{\"a\":[1,2]}", Encoding.UTF8, "application/json"),
            Headers = { { "X-Thing", "yes" } },
        });
        var json = await response.Content.ReadFromJsonAsync<JsonNode>();

        Assert.AreEqual("POST", json!["method"]!.GetValue<string>());
        Assert.AreEqual("/fn/echo/42", json["path"]!.GetValue<string>());
        Assert.AreEqual("42", json["id"]!.GetValue<string>());
        Assert.AreEqual("find", json["q"]!.GetValue<string>());
        Assert.AreEqual("yes", json["h"]!.GetValue<string>());
        Assert.AreEqual(2, json["body"]!["a"]![1]!.GetValue<int>());
        Assert.AreEqual("string", json["rid"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Invoke_MethodNotInManifest_Returns405()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("readonly", Healthy, new { methods = new[] { "GET" } });

        using var response = await host.Client.DeleteAsync("/fn/readonly");

        Assert.AreEqual(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [TestMethod]
    public async Task Invoke_ResponseObject_SetsStatusHeadersAndBody()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("created", "export default () => ({ status: 201, headers: { 'x-made': 'here', 'content-type': 'text/csv' }, body: 'a,b' });");

        using var response = await host.Client.GetAsync("/fn/created");

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode);
        Assert.AreEqual("here", response.Headers.GetValues("x-made").Single());
        Assert.AreEqual("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual("a,b", await response.Content.ReadAsStringAsync());
    }
}
