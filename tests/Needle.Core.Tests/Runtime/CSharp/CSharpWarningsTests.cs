using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Needle.Runtime.CSharp;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.CSharp;

/// <summary>Compiler warnings of a C# deploy that succeeds: in the response, the same whenever the image is reused.</summary>
[TestClass]
public sealed class CSharpWarningsTests
{
    // CS0219 at line 6, column 13 (the variable's name).
    private const string WithWarning = """
        public sealed class Greeter : INeedleFunction
        {
            public async Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context)
            {
                await Task.CompletedTask;
                var unused = 42;
                return "hi";
            }
        }
        """;

    private static readonly object GetOnly = new { runtime = "csharp", methods = new[] { "GET" } };

    [TestMethod]
    public async Task Deploy_SourceWithWarning_Returns201WithTheWarningsCodeLineAndColumnAndServes()
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.TryDeployAsync("greeter", WithWarning, GetOnly);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var (status, body, version) = await host.GetAsync("/fn/greeter");

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, json.ToJsonString());
        var warning = json["warnings"]!.AsArray().Single()!;
        Assert.AreEqual("CS0219", warning["code"]!.GetValue<string>());
        Assert.AreEqual("warning", warning["severity"]!.GetValue<string>());
        Assert.AreEqual(6, warning["line"]!.GetValue<int>());
        Assert.AreEqual(13, warning["column"]!.GetValue<int>());
        StringAssert.Contains(warning["message"]!.GetValue<string>(), "unused");
        Assert.AreEqual((200, "hi", "greeter@1"), (status, body, version));
    }

    [TestMethod]
    public async Task Deploy_SourceWithoutWarnings_ReportsNone()
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.TryDeployAsync("clean", CSharpTestHost.Handler("return \"clean\";"), GetOnly);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, json.ToJsonString());
        Assert.AreEqual(0, json["warnings"]!.AsArray().Count);
    }

    [TestMethod]
    public async Task Deploy_JavaScript_ReportsNoWarnings()
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.TryDeployAsync("js", "export default () => { var unused = 1; return 'js'; };");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, json.ToJsonString());
        Assert.AreEqual(0, json["warnings"]!.AsArray().Count);
    }

    [TestMethod]
    public async Task Deploy_SameSourceAgain_ReportsTheSameWarningsFromTheCacheAndAfterARestartFromTheStore()
    {
        using var directory = TemporaryDirectory.Create();
        string first;
        await using (var host = await TestHost.StartAsync(directory: directory.Path))
        {
            var statistics = host.Services.GetRequiredService<CSharpRuntime>().Statistics;
            var compiled = await DeployAsync(host, "greeter", GetOnly, HttpStatusCode.Created);
            var unchanged = await DeployAsync(host, "greeter", GetOnly, HttpStatusCode.OK);
            var cached = await DeployAsync(host, "greeter", new { runtime = "csharp", methods = new[] { "GET" }, config = new { again = true } }, HttpStatusCode.Created);

            first = compiled["warnings"]!.ToJsonString();
            StringAssert.Contains(first, "CS0219");
            Assert.IsTrue(unchanged["unchanged"]!.GetValue<bool>());
            Assert.AreEqual(first, unchanged["warnings"]!.ToJsonString());
            Assert.AreEqual(first, cached["warnings"]!.ToJsonString());
            Assert.AreEqual((1, 1), (statistics.Compilations, statistics.CacheHits));
        }

        await using var restarted = await TestHost.StartAsync(directory: directory.Path);
        var fromStore = await DeployAsync(restarted, "greeter-too", GetOnly, HttpStatusCode.Created);
        var (status, body, _) = await restarted.GetAsync("/fn/greeter-too");

        Assert.AreEqual(first, fromStore["warnings"]!.ToJsonString());
        Assert.AreEqual(0, restarted.Services.GetRequiredService<CSharpRuntime>().Statistics.Compilations);
        Assert.AreEqual((200, "hi"), (status, body));
    }

    private static async Task<JsonNode> DeployAsync(TestHost host, string name, object manifest, HttpStatusCode expected)
    {
        using var response = await host.TryDeployAsync(name, WithWarning, manifest);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.AreEqual(expected, response.StatusCode, json.ToJsonString());
        return json;
    }
}
