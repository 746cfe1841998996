using System.Net;
using System.Text.Json.Nodes;
using Needle.Cli.Tests.Infrastructure;

namespace Needle.Cli.Tests.Commands;

[TestClass]
public sealed class DeployCommandTests : CliHostTests<DeployCommandTests>
{
    [TestMethod]
    public async Task Deploy_JavaScriptFileWithManifestBeside_ServesIt()
    {
        var file = Host.WriteFile("greet-js.js", "export default (req) => ({ hi: req.query.name })");
        Host.WriteFile("greet-js.json", """{ "route": "/greet-js", "methods": ["GET"] }""");

        var run = await Host.RunAsync("deploy", file, "--reason", "first");

        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Contains(run.Output, "deployed greet-js@1: stable");
        using var http = Host.CreateClient();
        Assert.AreEqual("Ada", JsonNode.Parse(await http.GetStringAsync("/fn/greet-js?name=Ada"))!["hi"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Deploy_FailingItsCasesWithSkipTests_DeploysAndTheSkipIsAudited()
    {
        var file = Host.WriteFile("cased-cli.js", "export default () => ({ message: 'ho' })");
        Host.WriteFile("cased-cli.json", """{ "route": "/cased-cli", "methods": ["GET"], "tests": [ { "name": "says hi", "expect": { "body": { "message": "hi" } } } ] }""");
        var refused = await Host.RunAsync("deploy", file, "--reason", "first");

        var noReason = await Host.RunAsync("deploy", file, "--skip-tests");
        var run = await Host.RunAsync("deploy", file, "--skip-tests", "--reason", "INC-8 ship it");

        Assert.AreEqual(1, refused.Exit, refused.ToString());
        Assert.AreEqual(1, noReason.Exit, noReason.ToString());
        StringAssert.Contains(noReason.ToString(), "reason: skipTests needs a reason");
        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Contains(run.Output, "deployed cased-cli@1: stable");
        using var http = Host.CreateClient();
        var audit = await http.GetStringAsync("/needle/api/audit?function=cased-cli");
        StringAssert.Contains(audit, "\"tests-skipped\"");
        StringAssert.Contains(audit, "INC-8 ship it");
    }

    [TestMethod]
    public async Task Deploy_CSharpFile_RunsAsCSharp()
    {
        var file = Host.WriteFile("greet-cs.cs", """
            public sealed class Greeter : INeedleFunction
            {
                public Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context) => Task.FromResult<object?>(new { runtime = "csharp" });
            }
            """);

        var run = await Host.RunAsync("deploy", file);

        Assert.AreEqual(0, run.Exit, run.ToString());
        using var http = Host.CreateClient();
        StringAssert.Contains(await http.GetStringAsync("/fn/greet-cs"), "csharp");
    }

    [TestMethod]
    public async Task Deploy_JavaScriptSyntaxError_PrintsFileLineColumnAndExits1()
    {
        var file = Host.WriteFile("broken-js.js", "export default (req) => {\n  return { a: 1 ;\n}");

        var run = await Host.RunAsync("deploy", file);

        Assert.AreEqual(1, run.Exit, run.ToString());
        StringAssert.Matches(run.Error, new System.Text.RegularExpressions.Regex(@"broken-js\.js:2:\d+: error: "));
    }

    [TestMethod]
    public async Task Deploy_CSharpCompileError_PrintsFileLineColumnAndExits1()
    {
        var file = Host.WriteFile("broken-cs.cs", "public sealed class F : INeedleFunction\n{\n    public Task<object?> InvokeAsync(FunctionRequest r, FunctionContext c) => nope;\n}");

        var run = await Host.RunAsync("deploy", file);

        Assert.AreEqual(1, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "broken-cs.cs:3:");
        StringAssert.Contains(run.Error, "CS0103");
    }

    [TestMethod]
    public async Task Deploy_MissingFile_Exits2WithOneLine()
    {
        var run = await Host.RunAsync("deploy", Path.Combine(Host.Directory, "nothing.js"));

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "nothing.js' does not exist");
        Assert.AreEqual(1, run.Error.Trim().Split('\n').Length, run.Error);
    }

    [TestMethod]
    public async Task Deploy_NotAFunctionFile_Exits2()
    {
        var run = await Host.RunAsync("deploy", Host.WriteFile("notes.txt", "hello"));

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "use a .js (JavaScript) or .cs (C#) file");
    }

    [TestMethod]
    public async Task Deploy_ManifestNotJson_Exits2NamingTheFile()
    {
        var file = Host.WriteFile("badmanifest.js", "export default () => 1");
        Host.WriteFile("badmanifest.json", "{ route: ");

        var run = await Host.RunAsync("deploy", file);

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "badmanifest.json:1:");
    }

    [TestMethod]
    public async Task Deploy_InvalidManifestField_Exits1WithTheServersReason()
    {
        var file = Host.WriteFile("badroute.js", "export default () => 1");
        Host.WriteFile("badroute.json", """{ "methods": ["FETCH"] }""");

        var run = await Host.RunAsync("deploy", file);

        Assert.AreEqual(1, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "badroute.js: error: manifest.methods: 'FETCH' is not a supported HTTP method");
    }

    [TestMethod]
    public async Task Deploy_CanaryWithPin_PinnedUserGetsTheCanary()
    {
        var file = Host.WriteFile("pinned.js", "export default () => ({ v: 1 })");
        Assert.AreEqual(0, (await Host.RunAsync("deploy", file)).Exit);
        File.WriteAllText(file, "export default () => ({ v: 2 })");

        var run = await Host.RunAsync("deploy", file, "--canary", "0", "--pin", "qa-ada", "--reason", "try v2");

        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Contains(run.Output, "pinned@2: canary at 0 %");
        using var http = Host.CreateClient();
        using var pinned = new HttpRequestMessage(HttpMethod.Get, "/fn/pinned");
        pinned.Headers.Add("Needle-User", "qa-ada");
        using var response = await http.SendAsync(pinned);
        Assert.AreEqual("pinned@2", response.Headers.GetValues("Needle-Version").Single());
        Assert.AreEqual("pinned@1", (await http.GetAsync("/fn/pinned")).Headers.GetValues("Needle-Version").Single());
    }

    [TestMethod]
    public async Task Deploy_Plan_StartsAReleasePlanAtItsFirstStep()
    {
        var file = Host.WriteFile("planned.js", "export default () => ({ v: 1 })");
        Assert.AreEqual(0, (await Host.RunAsync("deploy", file)).Exit);
        File.WriteAllText(file, "export default () => ({ v: 2 })");

        var run = await Host.RunAsync("deploy", file, "--plan", "5,50,100", "--reason", "progressive");

        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Contains(run.Output, "release plan 5 % → 50 % → 100 % started");
        var status = await Host.RunAsync("status", "--output", "json");
        var planned = JsonNode.Parse(status.Output)!["functions"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "planned")!;
        Assert.AreEqual(2, planned["release"]!["canaryVersion"]!.GetValue<int>(), status.Output);
        Assert.AreEqual(5, planned["release"]!["canaryWeight"]!.GetValue<double>(), status.Output);
    }

    [TestMethod]
    public async Task Deploy_BadPlan_Exits2()
    {
        var run = await Host.RunAsync("deploy", Host.WriteFile("badplan.js", "export default () => 1"), "--plan", "5,abc");

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "'abc' is not a weight");
    }

    [TestMethod]
    public async Task Deploy_Wait_ReturnsOnceEveryNodeServesTheChange()
    {
        var run = await Host.RunAsync("deploy", Host.WriteFile("waited.js", "export default () => 1"), "--wait");

        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Matches(run.Output, new System.Text.RegularExpressions.Regex(@"all 1 live node\(s\) serve revision \d+"));
    }

    [TestMethod]
    public async Task Deploy_ServerDown_Exits3WithOneLine()
    {
        var run = await Host.RunAsync("deploy", Host.WriteFile("down.js", "export default () => 1"), "--url", "http://127.0.0.1:9");

        Assert.AreEqual(3, run.Exit, run.ToString());
        StringAssert.StartsWith(run.Error, "needle: cannot reach http://127.0.0.1:9/needle/api/");
        Assert.AreEqual(1, run.Error.Trim().Split('\n').Length, run.Error);
    }

    [TestMethod]
    public async Task Deploy_UrlFromEnvironment_IsUsed()
    {
        var run = await Host.RunWithAsync(
            new Dictionary<string, string> { ["NEEDLE_URL"] = Host.Address.ToString() },
            ["deploy", Host.WriteFile("fromenv.js", "export default () => 1")]);

        Assert.AreEqual(0, run.Exit, run.ToString());
        Assert.AreEqual(HttpStatusCode.OK, (await Host.CreateClient().GetAsync("/fn/fromenv")).StatusCode);
    }
}
