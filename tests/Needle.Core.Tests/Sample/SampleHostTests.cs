using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Needle.Tests.Sample;

/// <summary>The sample host as a new user runs it: Kestrel, its SQLite file, its watched functions folder.</summary>
[TestClass]
public sealed class SampleHostTests
{
    private static WebApplicationFactory<Program> s_factory = null!;
    private static HttpClient s_client = null!;
    private static TemporaryDirectory s_directory = null!;

    [ClassInitialize]
    public static void Start(TestContext context)
    {
        s_directory = TemporaryDirectory.Create("needle-sample-tests");
        var port = FreePort.Next();
        s_factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder
            .UseContentRoot(AppContext.BaseDirectory)
            .UseSetting("ConnectionStrings:Needle", $"Data Source={Path.Combine(s_directory.Path, "needle.db")}")
            .UseSetting("Needle:FunctionsPath", Path.Combine(AppContext.BaseDirectory, "functions"))
            // A random port and no Needle:Backend: the sample finds its backend on the address it listens on.
            .UseSetting("Urls", $"http://127.0.0.1:{port}"));
        s_factory.UseKestrel();
        s_factory.StartServer();
        s_client = s_factory.CreateClient();
    }

    [ClassCleanup]
    public static void Stop()
    {
        s_client.Dispose();
        s_factory.Dispose();
        s_directory.Dispose();
    }

    [TestMethod]
    public async Task Sample_HostEndpoint_StillAnswers()
    {
        var text = await s_client.GetStringAsync("/");

        StringAssert.Contains(text, "Needle sample host");
    }

    [TestMethod]
    [DataRow("aggregator", 2)]
    public async Task Sample_FunctionsTestsFile_ShipsCasesThatPass(string function, int cases)
    {
        using var response = await s_client.PostAsync($"/needle/api/functions/{function}/versions/1/test", null);
        var run = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, run.ToJsonString());
        Assert.IsTrue(run["passed"]!.GetValue<bool>(), run.ToJsonString());
        Assert.AreEqual(cases, run["cases"]!.AsArray().Count);
    }

    [TestMethod]
    public async Task Sample_Hello_Greets()
    {
        var json = await GetJsonAsync("/fn/hello?name=Ada");

        Assert.AreEqual("Hello, Ada!", json["message"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Sample_CSharpGreeter_GreetsAndFetches()
    {
        using var response = await s_client.GetAsync("/fn/greet/Ada");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, json.ToJsonString());
        Assert.AreEqual("Hello, Ada!", json["message"]!.GetValue<string>());
        Assert.AreEqual("csharp", json["runtime"]!.GetValue<string>());
        Assert.AreEqual("User 1", json["backendSays"]!.GetValue<string>());
        Assert.AreEqual("greeter@1", response.Headers.GetValues("Needle-Version").Single());
    }

    [TestMethod]
    public async Task Sample_Aggregator_CombinesTwoDownstreamCalls()
    {
        var json = await GetJsonAsync("/fn/profile/9");

        Assert.AreEqual("User 9", json["name"]!.GetValue<string>());
        Assert.AreEqual("gold", json["tier"]!.GetValue<string>());
        Assert.AreEqual(3, json["orders"]!["count"]!.GetValue<int>());
        Assert.AreEqual(3, json["recent"]!.AsArray().Count);
    }

    [TestMethod]
    public async Task Sample_Transformer_FiltersSortsAndReshapes()
    {
        var json = await GetJsonAsync("/fn/products?category=tools");

        var items = json["items"]!.AsArray();
        Assert.AreEqual(json["count"]!.GetValue<int>(), items.Count);
        Assert.IsTrue(items.Count is > 0 and < 25);
        StringAssert.StartsWith(items[0]!["price"]!.GetValue<string>(), "$");
        Assert.AreEqual(items[0]!["name"]!.GetValue<string>(), items[0]!["name"]!.GetValue<string>().ToUpperInvariant());
    }

    private static async Task<JsonNode> GetJsonAsync(string path)
    {
        // The watcher deploys the folder right after start.
        var (_, body) = await Eventually.ValueAsync(
            async () =>
            {
                using var response = await s_client.GetAsync(path);
                return (Status: response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            },
            r => r.Status == HttpStatusCode.OK,
            $"{path} to answer 200");
        return JsonNode.Parse(body)!;
    }
}
