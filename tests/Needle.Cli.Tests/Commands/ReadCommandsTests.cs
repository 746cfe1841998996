using System.Text.Json.Nodes;
using Needle.Cli.Tests.Infrastructure;

namespace Needle.Cli.Tests.Commands;

/// <summary>The commands that read: status, diff, history, audit, nodes, invoke; and the command line itself.</summary>
[TestClass]
public sealed class ReadCommandsTests
{
    private static CliHost s_host = null!;

    [ClassInitialize]
    public static async Task Start(TestContext context)
    {
        s_host = CliHost.Start();
        var file = s_host.WriteFile("shop.js", "export default (req) => ({ items: 1 })");
        s_host.WriteFile("shop.json", """{ "route": "/shop", "methods": ["GET", "POST"], "config": { "size": 1 } }""");
        Assert.AreEqual(0, (await s_host.RunAsync("deploy", file, "--reason", "v1")).Exit);
        File.WriteAllText(file, "export default (req) => ({ items: 2, q: req.query.q ?? null, body: req.body ?? null })");
        s_host.WriteFile("shop.json", """{ "route": "/shop", "methods": ["GET", "POST"], "config": { "size": 2 } }""");
        Assert.AreEqual(0, (await s_host.RunAsync("deploy", file, "--canary", "20", "--reason", "v2 as canary")).Exit);
    }

    [ClassCleanup]
    public static async Task Stop() => await s_host.DisposeAsync();

    [TestMethod]
    public async Task Status_Table_ShowsStableCanaryWeightAndNodes()
    {
        // The node reports its revision to the store after applying the canary, off the deploy's request: wait for it.
        var run = await Eventually.ValueAsync(
            () => s_host.RunAsync("status"),
            r => r.Exit != 0 || r.Output.Contains("all at revision", StringComparison.Ordinal),
            "the node's row to reach the latest revision");

        Assert.AreEqual(0, run.Exit, run.ToString());
        var row = run.Output.Split('\n').Single(l => l.Contains("shop", StringComparison.Ordinal));
        StringAssert.Matches(row, new System.Text.RegularExpressions.Regex(@"shop\s*│\s*1\s*│\s*2\s*│\s*20 %"));
        StringAssert.Contains(run.Output, "1 live node(s), all at revision");
    }

    [TestMethod]
    public async Task Status_Json_IsTheApisData()
    {
        // The node's row is written off the request path: wait for it to be there.
        var run = await Eventually.ValueAsync(
            () => s_host.RunAsync("status", "-o", "json"),
            r => r.Exit != 0 || JsonNode.Parse(r.Output)!["nodes"]!.AsArray().Count > 0,
            "the node's row");

        Assert.AreEqual(0, run.Exit, run.ToString());
        var json = JsonNode.Parse(run.Output)!;
        Assert.AreEqual(20, json["functions"]!.AsArray().Single()!["release"]!["canaryWeight"]!.GetValue<double>());
        Assert.AreEqual(1, json["nodes"]!.AsArray().Count);
        Assert.IsNotNull(json["health"], "the sample has Needle.Observability, so status carries health");
    }

    [TestMethod]
    public async Task Diff_TwoVersions_PrintsSourceAndManifestChanges()
    {
        var run = await s_host.RunAsync("diff", "shop", "1", "2");

        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Contains(run.Output, "--- shop@1");
        StringAssert.Contains(run.Output, "-export default (req) => ({ items: 1 })");
        StringAssert.Contains(run.Output, "+export default (req) => ({ items: 2,");
        StringAssert.Contains(run.Output, "+    \"size\": 2");
    }

    [TestMethod]
    public async Task Diff_UnknownVersion_Exits1()
    {
        var run = await s_host.RunAsync("diff", "shop", "1", "99");

        Assert.AreEqual(1, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "(404)");
    }

    [TestMethod]
    public async Task History_ListsReleasesNewestFirst()
    {
        var run = await s_host.RunAsync("history", "shop");

        Assert.AreEqual(0, run.Exit, run.ToString());
        var canary = run.Output.IndexOf("v2 as canary", StringComparison.Ordinal);
        var first = run.Output.IndexOf("v1", StringComparison.Ordinal);
        Assert.IsTrue(canary >= 0 && first > canary, run.Output);
    }

    [TestMethod]
    public async Task Audit_FilteredByFunction_ListsItsEvents()
    {
        var run = await s_host.RunAsync("audit", "--function", "shop", "-o", "json");

        Assert.AreEqual(0, run.Exit, run.ToString());
        var events = JsonNode.Parse(run.Output)!.AsArray();
        Assert.IsTrue(events.Count >= 2, run.Output);
        Assert.IsTrue(events.All(e => e!["function"]!.GetValue<string>() == "shop"), run.Output);
    }

    [TestMethod]
    public async Task Audit_LimitOutOfRange_Exits2()
    {
        var run = await s_host.RunAsync("audit", "--limit", "0");

        Assert.AreEqual(2, run.Exit, run.ToString());
    }

    [TestMethod]
    public async Task Nodes_ListsThisNodeAndItsRevision()
    {
        // The node reports each revision it applied off the deploy's request (NodeReporter): wait for the canary's.
        var run = await Eventually.ValueAsync(
            () => s_host.RunAsync("nodes", "-o", "json"),
            r => r.Exit != 0 || JsonNode.Parse(r.Output)!.AsArray().Any(n => n!["revision"]!.GetValue<long>() >= 2),
            "the node's row to report revision 2 or later");

        Assert.AreEqual(0, run.Exit, run.ToString());
        Assert.IsTrue(JsonNode.Parse(run.Output)!.AsArray().Single()!["revision"]!.GetValue<long>() >= 2, run.Output);
    }

    [TestMethod]
    public async Task Invoke_StableByDefault_PrintsStatusAndBody()
    {
        var run = await s_host.RunAsync("invoke", "shop");

        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Contains(run.Output, "shop@1: 200");
        StringAssert.Contains(run.Output, "\"items\":1");
    }

    [TestMethod]
    public async Task Invoke_VersionQueryAndBody_ReachTheFunction()
    {
        var run = await s_host.RunAsync("invoke", "shop", "--version", "2", "-X", "POST", "-q", "q=tools", "--data", """{"n":3}""", "-o", "json");

        Assert.AreEqual(0, run.Exit, run.ToString());
        var body = JsonNode.Parse(run.Output)!["body"]!;
        Assert.AreEqual("tools", body["q"]!.GetValue<string>());
        Assert.AreEqual(3, body["body"]!["n"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Invoke_DataNotJson_Exits2()
    {
        var run = await s_host.RunAsync("invoke", "shop", "--data", "{nope");

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "--data is not valid JSON");
    }

    [TestMethod]
    public async Task UnknownCommand_Exits2()
    {
        var run = await s_host.RunAsync("deploiy", "x.js");

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "needle --help");
    }

    [TestMethod]
    public async Task Url_NotHttp_Exits2()
    {
        var run = await s_host.RunAsync("status", "--url", "ftp://example");

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "is not an http or https URL");
    }
}
