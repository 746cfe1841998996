using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.ControlPlane;

[TestClass]
public sealed class DeployApiTests
{
    private const string Hello = "export default async function (req, ctx) { return { message: 'hello v1' }; }";
    private const string HelloV2 = "export default async function (req, ctx) { return { message: 'hello v2' }; }";

    [TestMethod]
    public async Task Deploy_NewFunction_ServesAtOnceWithVersionHeader()
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.TryDeployAsync("hello", Hello, new { route = "/hello", methods = new[] { "GET" } });
        var (status, body, version) = await host.GetAsync("/fn/hello");

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode);
        Assert.IsNotNull(response.Headers.Location);
        Assert.AreEqual(200, status);
        Assert.AreEqual("hello v1", JsonNode.Parse(body)!["message"]!.GetValue<string>());
        Assert.AreEqual("hello@1", version);
    }

    [TestMethod]
    public async Task Deploy_NewVersion_ServesWithoutRestart()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hello", Hello);

        var number = await host.DeployAsync("hello", HelloV2);
        var (_, body, version) = await host.GetAsync("/fn/hello");

        Assert.AreEqual(2, number);
        Assert.AreEqual("hello@2", version);
        StringAssert.Contains(body, "hello v2");
    }

    [TestMethod]
    public async Task Deploy_SameContentTwice_ReturnsExistingVersionUnchanged()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hello", Hello);

        using var again = await host.TryDeployAsync("hello", Hello);
        var json = JsonNode.Parse(await again.Content.ReadAsStringAsync())!;

        Assert.AreEqual(HttpStatusCode.OK, again.StatusCode);
        Assert.AreEqual(1, json["version"]!.GetValue<int>());
        Assert.IsTrue(json["unchanged"]!.GetValue<bool>());
    }

    [TestMethod]
    public async Task Deploy_SyntaxError_Returns400WithLineAndColumnAndPreviousVersionServes()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hello", Hello);

        using var response = await host.TryDeployAsync("hello", "export default async function (req, ctx) {\n  return { a: ;\n}");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var (status, body, version) = await host.GetAsync("/fn/hello");

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var diagnostic = problem["diagnostics"]![0]!;
        Assert.AreEqual(2, diagnostic["line"]!.GetValue<int>());
        Assert.IsTrue(diagnostic["column"]!.GetValue<int>() > 0);
        Assert.AreEqual(200, status);
        Assert.AreEqual("hello@1", version);
        StringAssert.Contains(body, "hello v1");
    }

    [TestMethod]
    [DataRow("export const x = 1;", "default export", DisplayName = "no default export")]
    [DataRow("export default 42;", "function", DisplayName = "default export not a function")]
    [DataRow("import fs from 'fs'; export default function () { return 1; }", "import", DisplayName = "import")]
    public async Task Deploy_InvalidModule_Returns400AndNothingChanges(string source, string expected)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hello", Hello);

        using var response = await host.TryDeployAsync("hello", source);
        var text = await response.Content.ReadAsStringAsync();
        var detail = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/hello");

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        StringAssert.Contains(text.ToLowerInvariant(), expected);
        Assert.AreEqual(1, detail!["versions"]!.AsArray().Count);
    }

    [TestMethod]
    [DataRow("Hello", null, "not a valid function name", DisplayName = "upper-case name")]
    [DataRow("-bad", null, "not a valid function name", DisplayName = "leading dash")]
    [DataRow("ok", "/users/{id", "route", DisplayName = "broken route template")]
    public async Task Deploy_InvalidNameOrRoute_Returns400(string name, string? route, string expected)
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.TryDeployAsync(name, Hello, route is null ? null : new { route });
        var text = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        StringAssert.Contains(text, expected);
    }

    [TestMethod]
    public async Task Deploy_UnknownRuntime_Returns400NamingTheRuntime()
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.TryDeployAsync("hello", Hello, new { runtime = "python" });
        var text = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(text, "'python' is not a runtime");
    }

    [TestMethod]
    public async Task Deploy_RouteOfAnotherFunction_Returns400AndTheOtherKeepsServing()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("users", "export default () => ({ from: 'users' });", new { route = "/users/{id}", methods = new[] { "GET" } });

        using var response = await host.TryDeployAsync("people", "export default () => ({ from: 'people' });", new { route = "/users/{userId}", methods = new[] { "GET", "POST" } });
        var text = await response.Content.ReadAsStringAsync();
        var (status, body, _) = await host.GetAsync("/fn/users/7");

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(text, "conflicts with function 'users'");
        Assert.AreEqual(200, status);
        StringAssert.Contains(body, "users");
    }

    [TestMethod]
    public async Task Deploy_SameRouteOtherMethod_IsAllowed()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("read", "export default () => 'read';", new { route = "/items", methods = new[] { "GET" } });

        await host.DeployAsync("write", "export default () => 'write';", new { route = "/items", methods = new[] { "POST" } });
        using var post = await host.Client.PostAsync("/fn/items", new StringContent("x"));
        var (_, getBody, _) = await host.GetAsync("/fn/items");

        Assert.AreEqual("write", await post.Content.ReadAsStringAsync());
        Assert.AreEqual("read", getBody);
    }

    [TestMethod]
    [DataRow("{ not json", DisplayName = "not JSON")]
    [DataRow("{\"source\": 42}", DisplayName = "source of the wrong type")]
    [DataRow("{\"manifest\": {\"limits\": {\"timeoutMs\": \"soon\"}}, \"source\": \"export default () => 1\"}", DisplayName = "limit of the wrong type")]
    public async Task Deploy_MalformedRequest_Returns400ProblemSayingWhere(string json)
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.Client.PostAsync("/needle/api/functions/hello/versions", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        StringAssert.Contains(text, "not valid JSON");
    }

    [TestMethod]
    public async Task Deploy_MissingSource_Returns400()
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/hello/versions", new { reason = "no source" });

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "source");
    }

    [TestMethod]
    public async Task Deploy_LimitOutOfRange_Returns400NamingTheLimit()
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.TryDeployAsync("hello", Hello, new { limits = new { timeoutMs = -5 } });

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "timeoutMs");
    }

    [TestMethod]
    [DataRow("timeoutMs", 300_000, 60_000, DisplayName = "timeoutMs")]
    [DataRow("memoryMb", 4_096, 512, DisplayName = "memoryMb")]
    [DataRow("maxConcurrency", 10_000, 1_000, DisplayName = "maxConcurrency")]
    [DataRow("maxRequestBodyKb", 1_048_576, 102_400, DisplayName = "maxRequestBodyKb")]
    [DataRow("maxLogLines", 1_000_000, 10_000, DisplayName = "maxLogLines")]
    public async Task Deploy_LimitOverTheHostMaximum_Returns400NamingTheFieldAndTheMaximum(string field, int asked, int maximum)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hello", Hello);

        using var response = await host.TryDeployAsync("hello", "export default () => 'greedy';", new { limits = new Dictionary<string, int> { [field] = asked } });
        var text = await response.Content.ReadAsStringAsync();
        var served = await host.GetAsync("/fn/hello");

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        StringAssert.Contains(text, $"limits.{field}: {asked} is over this host's maximum of {maximum}");
        Assert.AreNotEqual("greedy", served.Body);
    }

    [TestMethod]
    public async Task Deploy_HostLowersAMaximum_ManifestsAreHeldToIt()
    {
        await using var host = await TestHost.StartAsync(o =>
        {
            o.MaxLimits.TimeoutMs = 2_000;
            o.DefaultLimits.TimeoutMs = 1_000;
        });

        using var within = await host.TryDeployAsync("hello", Hello, new { limits = new { timeoutMs = 2_000 } });
        using var over = await host.TryDeployAsync("hello", Hello, new { limits = new { timeoutMs = 2_001 } });

        Assert.AreEqual(HttpStatusCode.Created, within.StatusCode, await within.Content.ReadAsStringAsync());
        Assert.AreEqual(HttpStatusCode.BadRequest, over.StatusCode);
        StringAssert.Contains(await over.Content.ReadAsStringAsync(), "limits.timeoutMs: 2001 is over this host's maximum of 2000");
    }

    [TestMethod]
    public async Task Deploy_TwoConcurrentDeploysOfOneFunction_BothLandWithDistinctVersions()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hello", Hello);

        var deploys = Enumerable.Range(0, 2)
            .Select(i => host.TryDeployAsync("hello", $"export default () => ({{ n: {i} }});"))
            .ToArray();
        var responses = await Task.WhenAll(deploys);
        var numbers = new List<int>();
        foreach (var response in responses)
        {
            Assert.AreEqual(HttpStatusCode.Created, response.StatusCode);
            numbers.Add(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["version"]!.GetValue<int>());
            response.Dispose();
        }

        var (_, _, serving) = await host.GetAsync("/fn/hello");
        CollectionAssert.AreEquivalent(new[] { 2, 3 }, numbers);
        Assert.AreEqual("hello@3", serving);
    }

    [TestMethod]
    public async Task Deploy_WithoutActivation_KeepsServingPreviousUntilActivated()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hello", Hello);

        using var staged = await host.TryDeployAsync("hello", HelloV2, activate: false);
        var before = await host.GetAsync("/fn/hello");
        using var activate = await host.Client.PostAsJsonAsync("/needle/api/functions/hello/versions/2/activate", new { reason = "ship it" });
        var after = await host.GetAsync("/fn/hello");

        Assert.AreEqual(HttpStatusCode.Created, staged.StatusCode);
        Assert.AreEqual("hello@1", before.Version);
        Assert.AreEqual(HttpStatusCode.OK, activate.StatusCode);
        Assert.AreEqual("hello@2", after.Version);
    }

    [TestMethod]
    public async Task Activate_OlderVersion_ServesItAgain()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hello", Hello);
        await host.DeployAsync("hello", HelloV2);

        using var response = await host.Client.PostAsync("/needle/api/functions/hello/versions/1/activate", null);
        var (_, body, version) = await host.GetAsync("/fn/hello");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("hello@1", version);
        StringAssert.Contains(body, "hello v1");
    }

    [TestMethod]
    public async Task Activate_UnknownVersion_Returns404()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hello", Hello);

        using var response = await host.Client.PostAsync("/needle/api/functions/hello/versions/9/activate", null);

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "no version 9");
    }

    [TestMethod]
    public async Task GetVersion_ReturnsSourceManifestAndHash()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hello", Hello, new { route = "/hi", config = new { greeting = "hey" } });

        var version = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/hello/versions/1");

        Assert.AreEqual(Hello, version!["source"]!.GetValue<string>());
        Assert.AreEqual("/hi", version["manifest"]!["route"]!.GetValue<string>());
        Assert.AreEqual("hey", version["manifest"]!["config"]!["greeting"]!.GetValue<string>());
        Assert.AreEqual(64, version["contentHash"]!.GetValue<string>().Length);
    }

    [TestMethod]
    public async Task ListFunctions_ShowsReleaseAndServingVersion()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hello", Hello);
        await host.DeployAsync("other", Hello);

        var functions = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/functions");

        Assert.AreEqual(2, functions!.Count);
        var hello = functions.Single(f => f!["name"]!.GetValue<string>() == "hello")!;
        Assert.AreEqual("hello@1", hello["serving"]!.GetValue<string>());
        Assert.AreEqual(1, hello["release"]!["stableVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task UnknownFunction_Returns404OnApiAndRoute()
    {
        await using var host = await TestHost.StartAsync();

        using var api = await host.Client.GetAsync("/needle/api/functions/nope");
        var route = await host.GetAsync("/fn/nope");

        Assert.AreEqual(HttpStatusCode.NotFound, api.StatusCode);
        Assert.AreEqual("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual(404, route.Status);
    }

    [TestMethod]
    public async Task Delete_StopsServingAndIsAudited()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hello", Hello);

        using var response = await host.Client.DeleteAsync("/needle/api/functions/hello?reason=retired");
        var route = await host.GetAsync("/fn/hello");
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=hello");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(404, route.Status);
        Assert.AreEqual("delete", audit![0]!["action"]!.GetValue<string>());
        Assert.AreEqual("retired", audit[0]!["reason"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Audit_RecordsDeploysWithActorReasonAndRevision()
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.TryDeployAsync("hello", Hello, reason: "first cut");
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit");

        var deploy = audit!.Single(e => e!["action"]!.GetValue<string>() == "deploy")!;
        Assert.AreEqual("hello", deploy["function"]!.GetValue<string>());
        Assert.AreEqual("local", deploy["actor"]!.GetValue<string>());
        Assert.AreEqual("first cut", deploy["reason"]!.GetValue<string>());
        Assert.IsTrue(deploy["revision"]!.GetValue<long>() > 0);
    }

    [TestMethod]
    public async Task Nodes_ShowThisNodeAtTheStoreRevision()
    {
        await using var host = await TestHost.StartAsync();
        using var deploy = await host.TryDeployAsync("hello", Hello);
        var revision = JsonNode.Parse(await deploy.Content.ReadAsStringAsync())!["revision"]!.GetValue<long>();

        // The node table is written just after the change serves, off the caller's path.
        var node = await Eventually.ValueAsync(
            async () => (await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/nodes"))!.Single()!,
            n => n["revision"]!.GetValue<long>() == revision,
            $"the node to report revision {revision}");

        Assert.AreEqual("test-node", node["nodeId"]!.GetValue<string>());
        Assert.AreEqual(revision, node["revision"]!.GetValue<long>());
    }

    [TestMethod]
    public async Task OpenApi_DescribesTheControlPlane()
    {
        await using var host = await TestHost.StartAsync();

        var document = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/openapi/needle.json");

        var paths = document!["paths"]!.AsObject();
        Assert.IsTrue(paths.ContainsKey("/needle/api/functions/{name}/versions"), string.Join(", ", paths.Select(p => p.Key)));
        Assert.IsTrue(paths.ContainsKey("/needle/api/audit"));
    }
}
