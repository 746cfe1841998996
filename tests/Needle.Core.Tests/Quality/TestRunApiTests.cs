using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Quality;

/// <summary><c>POST /functions/{name}/versions/{n}/test</c>: a version's cases, or cases in the body, on demand.</summary>
[TestClass]
public sealed class TestRunApiTests : ClassHostTests<TestRunApiTests, TestHost>, IClassHost<TestHost>
{
    public static async Task<TestHost> StartClassHostAsync()
    {
        var host = await TestHost.StartAsync(needle: n => n.AddDownstream("backend", new Uri("http://127.0.0.1:9/")));
        await host.DeployAsync("users", TestCaseSamples.JavaScriptUser(), TestCaseSamples.UserManifest());
        return host;
    }

    [TestMethod]
    public async Task Test_VersionsOwnCases_ReturnsEachResult()
    {
        var result = await (await Host.Client.PostAsync("/needle/api/functions/users/versions/1/test", null)).Content.ReadFromJsonAsync<JsonNode>();

        Assert.IsTrue(result!["passed"]!.GetValue<bool>(), result.ToJsonString());
        CollectionAssert.AreEqual(new[] { "upper-cases the name", "answers 404 for a missing user" }, result["cases"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToArray());
        Assert.AreEqual(404, result["cases"]![1]!["actual"]!["status"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Test_CasesInTheBody_RunInsteadAndReportFailures()
    {
        var tests = JsonNode.Parse("""
            [ { "name": "wrong on purpose", "request": { "params": { "id": "1" } }, "fetch": [ { "url": "http://backend/users/1", "body": { "id": 1, "name": "x" } } ], "expect": { "bodySubset": { "name": "Y" } } } ]
            """);

        using var response = await Host.Client.PostAsJsonAsync("/needle/api/functions/users/versions/1/test", new { tests });
        var result = await response.Content.ReadFromJsonAsync<JsonNode>();

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.IsFalse(result!["passed"]!.GetValue<bool>());
        Assert.IsFalse(result["cached"]!.GetValue<bool>());
        Assert.AreEqual(1, result["failed"]!.GetValue<int>());
        var mismatch = result["cases"]![0]!["mismatches"]![0]!;
        Assert.AreEqual("bodySubset.name", mismatch["field"]!.GetValue<string>());
        Assert.AreEqual("\"Y\"", mismatch["expected"]!.GetValue<string>());
        Assert.AreEqual("\"X\"", mismatch["actual"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Test_MalformedCaseInTheBody_Answers400NamingIt()
    {
        var tests = JsonNode.Parse("""[ { "name": "bad", "expect": { "jsonPath": { "$..x": 1 } } } ]""");

        using var response = await Host.Client.PostAsJsonAsync("/needle/api/functions/users/versions/1/test", new { tests });

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "tests[0] ('bad'): expect.jsonPath['$..x']");
    }

    [TestMethod]
    public async Task TestAsync_TypedClient_ReadsEveryCaseResult()
    {
        var run = await Host.Api.TestAsync("users", 1);

        Assert.IsTrue(run.Passed);
        Assert.AreEqual(2, run.Cases.Count);
        Assert.AreEqual("upper-cases the name", run.Cases[0].Name);
        Assert.AreEqual(200, run.Cases[0].Actual.Status);
        Assert.AreEqual(0, run.Cases[0].Mismatches.Count);
    }

    [TestMethod]
    public async Task Test_UnknownVersion_Answers404()
    {
        using var response = await Host.Client.PostAsync("/needle/api/functions/users/versions/9/test", null);

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
    }
}
