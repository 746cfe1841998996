using System.Net;
using System.Text.Json.Nodes;
using Needle.Cli.Tests.Infrastructure;

namespace Needle.Cli.Tests.Commands;

[TestClass]
public sealed class DeployCommandTests
{
    private static CliHost s_host = null!;

    [ClassInitialize]
    public static void Start(TestContext context) => s_host = CliHost.Start();

    [ClassCleanup]
    public static async Task Stop() => await s_host.DisposeAsync();

    [TestMethod]
    public async Task Deploy_JavaScriptFileWithManifestBeside_ServesIt()
    {
        var file = s_host.WriteFile("greet-js.js", "export default (req) => ({ hi: req.query.name })");
        s_host.WriteFile("greet-js.json", """{ "route": "/greet-js", "methods": ["GET"] }""");

        var run = await s_host.RunAsync("deploy", file, "--reason", "first");

        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Contains(run.Output, "deployed greet-js@1: stable");
        using var http = s_host.CreateClient();
        Assert.AreEqual("Ada", JsonNode.Parse(await http.GetStringAsync("/fn/greet-js?name=Ada"))!["hi"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Deploy_CSharpFile_RunsAsCSharp()
    {
        var file = s_host.WriteFile("greet-cs.cs", """
            public sealed class Greeter : INeedleFunction
            {
                public Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context) => Task.FromResult<object?>(new { runtime = "csharp" });
            }
            """);

        var run = await s_host.RunAsync("deploy", file);

        Assert.AreEqual(0, run.Exit, run.ToString());
        using var http = s_host.CreateClient();
        StringAssert.Contains(await http.GetStringAsync("/fn/greet-cs"), "csharp");
    }

    [TestMethod]
    public async Task Deploy_JavaScriptSyntaxError_PrintsFileLineColumnAndExits1()
    {
        var file = s_host.WriteFile("broken-js.js", "export default (req) => {\n  return { a: 1 ;\n}");

        var run = await s_host.RunAsync("deploy", file);

        Assert.AreEqual(1, run.Exit, run.ToString());
        StringAssert.Matches(run.Error, new System.Text.RegularExpressions.Regex(@"broken-js\.js:2:\d+: error: "));
    }

    [TestMethod]
    public async Task Deploy_CSharpCompileError_PrintsFileLineColumnAndExits1()
    {
        var file = s_host.WriteFile("broken-cs.cs", "public sealed class F : INeedleFunction\n{\n    public Task<object?> InvokeAsync(FunctionRequest r, FunctionContext c) => nope;\n}");

        var run = await s_host.RunAsync("deploy", file);

        Assert.AreEqual(1, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "broken-cs.cs:3:");
        StringAssert.Contains(run.Error, "CS0103");
    }

    [TestMethod]
    public async Task Deploy_MissingFile_Exits2WithOneLine()
    {
        var run = await s_host.RunAsync("deploy", Path.Combine(s_host.Directory, "nothing.js"));

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "nothing.js' does not exist");
        Assert.AreEqual(1, run.Error.Trim().Split('\n').Length, run.Error);
    }

    [TestMethod]
    public async Task Deploy_NotAFunctionFile_Exits2()
    {
        var run = await s_host.RunAsync("deploy", s_host.WriteFile("notes.txt", "hello"));

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "use a .js (JavaScript) or .cs (C#) file");
    }

    [TestMethod]
    public async Task Deploy_ManifestNotJson_Exits2NamingTheFile()
    {
        var file = s_host.WriteFile("badmanifest.js", "export default () => 1");
        s_host.WriteFile("badmanifest.json", "{ route: ");

        var run = await s_host.RunAsync("deploy", file);

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "badmanifest.json:1:");
    }

    [TestMethod]
    public async Task Deploy_InvalidManifestField_Exits1WithTheServersReason()
    {
        var file = s_host.WriteFile("badroute.js", "export default () => 1");
        s_host.WriteFile("badroute.json", """{ "methods": ["FETCH"] }""");

        var run = await s_host.RunAsync("deploy", file);

        Assert.AreEqual(1, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "badroute.js: error: manifest.methods: 'FETCH' is not a supported HTTP method");
    }

    [TestMethod]
    public async Task Deploy_CanaryWithPin_PinnedUserGetsTheCanary()
    {
        var file = s_host.WriteFile("pinned.js", "export default () => ({ v: 1 })");
        Assert.AreEqual(0, (await s_host.RunAsync("deploy", file)).Exit);
        File.WriteAllText(file, "export default () => ({ v: 2 })");

        var run = await s_host.RunAsync("deploy", file, "--canary", "0", "--pin", "qa-ada", "--reason", "try v2");

        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Contains(run.Output, "pinned@2: canary at 0 %");
        using var http = s_host.CreateClient();
        using var pinned = new HttpRequestMessage(HttpMethod.Get, "/fn/pinned");
        pinned.Headers.Add("Needle-User", "qa-ada");
        using var response = await http.SendAsync(pinned);
        Assert.AreEqual("pinned@2", response.Headers.GetValues("Needle-Version").Single());
        Assert.AreEqual("pinned@1", (await http.GetAsync("/fn/pinned")).Headers.GetValues("Needle-Version").Single());
    }

    [TestMethod]
    public async Task Deploy_Plan_StartsAReleasePlanAtItsFirstStep()
    {
        var file = s_host.WriteFile("planned.js", "export default () => ({ v: 1 })");
        Assert.AreEqual(0, (await s_host.RunAsync("deploy", file)).Exit);
        File.WriteAllText(file, "export default () => ({ v: 2 })");

        var run = await s_host.RunAsync("deploy", file, "--plan", "5,50,100", "--reason", "progressive");

        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Contains(run.Output, "release plan 5 % → 50 % → 100 % started");
        var status = await s_host.RunAsync("status", "--output", "json");
        var planned = JsonNode.Parse(status.Output)!["functions"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "planned")!;
        Assert.AreEqual(2, planned["release"]!["canaryVersion"]!.GetValue<int>(), status.Output);
        Assert.AreEqual(5, planned["release"]!["canaryWeight"]!.GetValue<double>(), status.Output);
    }

    [TestMethod]
    public async Task Deploy_BadPlan_Exits2()
    {
        var run = await s_host.RunAsync("deploy", s_host.WriteFile("badplan.js", "export default () => 1"), "--plan", "5,abc");

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "'abc' is not a weight");
    }

    [TestMethod]
    public async Task Deploy_Wait_ReturnsOnceEveryNodeServesTheChange()
    {
        var run = await s_host.RunAsync("deploy", s_host.WriteFile("waited.js", "export default () => 1"), "--wait");

        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Matches(run.Output, new System.Text.RegularExpressions.Regex(@"all 1 node\(s\) serve revision \d+"));
    }

    [TestMethod]
    public async Task Deploy_ServerDown_Exits3WithOneLine()
    {
        var run = await s_host.RunAsync("deploy", s_host.WriteFile("down.js", "export default () => 1"), "--url", "http://127.0.0.1:9");

        Assert.AreEqual(3, run.Exit, run.ToString());
        StringAssert.StartsWith(run.Error, "needle: cannot reach http://127.0.0.1:9/needle/api/");
        Assert.AreEqual(1, run.Error.Trim().Split('\n').Length, run.Error);
    }

    [TestMethod]
    public async Task Deploy_UrlFromEnvironment_IsUsed()
    {
        var run = await s_host.RunWithAsync(
            new Dictionary<string, string> { ["NEEDLE_URL"] = s_host.Address.ToString() },
            ["deploy", s_host.WriteFile("fromenv.js", "export default () => 1")]);

        Assert.AreEqual(0, run.Exit, run.ToString());
        Assert.AreEqual(HttpStatusCode.OK, (await s_host.CreateClient().GetAsync("/fn/fromenv")).StatusCode);
    }
}
