using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Quality;

/// <summary>Malformed test cases are refused before anything is stored: 400 naming the case and the field.</summary>
[TestClass]
public sealed class TestCaseFormatTests : ClassHostTests<TestCaseFormatTests, TestHost>, IClassHost<TestHost>
{
    private const string Source = "export default async (req, ctx) => ({ ok: true });";
    private static int s_function;

    public static Task<TestHost> StartClassHostAsync() =>
        TestHost.StartAsync(
            o =>
            {
                o.Quality.MaxCases = 3;
                o.Quality.MaxCaseKb = 4;
            },
            n => n.AddDownstream("backend", new Uri("http://127.0.0.1:9/")));

    [TestMethod]
    [DataRow("""{ "name": "a", "expect": { "status": 200 }, "expcet": {} }""", "('a'): expcet: unknown field", DisplayName = "unknown field")]
    [DataRow("""{ "name": "a", "expect": { "stauts": 200 } }""", "('a'): expect.stauts: unknown field", DisplayName = "unknown expect field")]
    [DataRow("""{ "name": "a", "request": { "methd": "GET" }, "expect": { "status": 200 } }""", "('a'): request.methd: unknown field", DisplayName = "unknown request field")]
    [DataRow("""{ "name": "a", "fetch": [ { "url": "http://backend/x", "bdy": 1 } ], "expect": { "status": 200 } }""", "('a'): fetch[0].bdy: unknown field", DisplayName = "unknown stub field")]
    [DataRow("""{ "name": "a", "expect": { "jsonPath": { "$.items[*]": 1 } } }""", "('a'): expect.jsonPath['$.items[*]']: '[' at character 8", DisplayName = "bad JSON path")]
    [DataRow("""{ "name": "a", "expect": { "jsonPath": { "items": 1 } } }""", "('a'): expect.jsonPath['items']: a JSON path starts with '$'", DisplayName = "JSON path without $")]
    [DataRow("""{ "name": "a", "fetch": [ { "status": 200 } ], "expect": { "status": 200 } }""", "('a'): fetch[0].url: every stub needs the URL", DisplayName = "stub without URL")]
    [DataRow("""{ "name": "a", "fetch": [ { "url": "http://payments/x" } ], "expect": { "status": 200 } }""", "('a'): fetch[0].url: 'payments' is not among the manifest's services", DisplayName = "stub for an unlisted service")]
    [DataRow("""{ "name": "a", "fetch": [ { "url": "http://backend/x", "status": 999 } ], "expect": { "status": 200 } }""", "('a'): fetch[0].status: 999 is not an HTTP status", DisplayName = "stub status out of range")]
    [DataRow("""{ "expect": { "status": 200 } }""", "tests[0]: name: every case needs a name", DisplayName = "no name")]
    [DataRow("""{ "name": "a" }""", "('a'): expect: every case needs an expect object", DisplayName = "no expect")]
    [DataRow("""{ "name": "a", "expect": { "status": "200" } }""", "('a'): expect.status: a whole number", DisplayName = "status as text")]
    [DataRow("""{ "name": "a", "live": "yes", "expect": { "status": 200 } }""", "('a'): live: true or false", DisplayName = "live as text")]
    [DataRow("""{ "name": "a", "expect": { "maxMs": -1 } }""", "('a'): expect.maxMs: a positive number", DisplayName = "negative maxMs")]
    [DataRow("""{ "name": "a", "expect": { "bodySubset": 3 } }""", "('a'): expect.bodySubset: a JSON object or array", DisplayName = "subset of a number")]
    [DataRow("""{ "name": "a", "request": { "headers": { "x": 1 } }, "expect": { "status": 200 } }""", "('a'): request.headers: an object of string values", DisplayName = "header value not a string")]
    [DataRow("""7""", "tests[0]: a test case is a JSON object", DisplayName = "not an object")]
    public async Task Deploy_MalformedCase_Answers400NamingTheCaseAndFieldAndStoresNothing(string testCase, string expected)
    {
        var name = "f" + Interlocked.Increment(ref s_function);
        var manifest = JsonNode.Parse($$"""{ "services": ["backend"], "tests": [ {{testCase}} ] }""");

        using var response = await Host.TryDeployAsync(name, Source, manifest);
        var problem = await response.Content.ReadFromJsonAsync<JsonNode>();
        using var function = await Host.Client.GetAsync($"/needle/api/functions/{name}");

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, problem?.ToJsonString());
        StringAssert.Contains(problem!["detail"]!.GetValue<string>(), "manifest.tests[0]");
        StringAssert.Contains(problem["detail"]!.GetValue<string>(), expected);
        Assert.AreEqual(HttpStatusCode.NotFound, function.StatusCode, "nothing was stored");
    }

    [TestMethod]
    public async Task Deploy_TwoCasesWithOneName_IsRefused()
    {
        var manifest = JsonNode.Parse("""{ "tests": [ { "name": "a", "expect": { "status": 200 } }, { "name": "a", "expect": { "status": 200 } } ] }""");

        using var response = await Host.TryDeployAsync("dupes", Source, manifest);

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "another case is also named 'a'");
    }

    [TestMethod]
    public async Task Deploy_MoreCasesThanTheHostAllows_IsRefused()
    {
        var tests = new JsonArray(Enumerable.Range(0, 4).Select(i => (JsonNode)new JsonObject { ["name"] = $"c{i}", ["expect"] = new JsonObject { ["status"] = 200 } }).ToArray());

        using var response = await Host.TryDeployAsync("many", Source, new JsonObject { ["tests"] = tests });

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "4 test cases are more than this host's limit of 3 (Quality.MaxCases)");
    }

    [TestMethod]
    public async Task Deploy_CaseLargerThanTheHostAllows_IsRefused()
    {
        var big = new JsonObject { ["name"] = "big", ["request"] = new JsonObject { ["bodyText"] = new string('x', 5 * 1024) }, ["expect"] = new JsonObject { ["status"] = 200 } };

        using var response = await Host.TryDeployAsync("big", Source, new JsonObject { ["tests"] = new JsonArray(big) });

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "('big'): the case is 5 KiB, over this host's limit of 4 KiB (Quality.MaxCaseKb)");
    }

    [TestMethod]
    public async Task Deploy_StubBodyOverTheFetchLimit_IsRefused()
    {
        var stub = new JsonObject { ["url"] = "http://backend/x", ["body"] = new string('x', 2 * 1024) };
        var testCase = new JsonObject { ["name"] = "huge", ["fetch"] = new JsonArray(stub), ["expect"] = new JsonObject { ["status"] = 200 } };
        var manifest = new JsonObject { ["services"] = new JsonArray("backend"), ["limits"] = new JsonObject { ["maxFetchResponseKb"] = 1 }, ["tests"] = new JsonArray(testCase) };

        using var response = await Host.TryDeployAsync("huge", Source, manifest);

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "('huge'): fetch[0].body: the stub body is larger than the version's fetch limit of 1 KiB");
    }
}
