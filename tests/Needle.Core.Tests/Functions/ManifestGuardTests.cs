using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Needle.Functions;
using Needle.Runtime;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Functions;

[TestClass]
public sealed class ManifestGuardTests
{
    private const string Source = "export default () => 'v';";

    [TestMethod]
    [DataRow("""{"minimumRequests": 0}""", "guard.minimumRequests: 0 is out of range (1 to 1000000)", DisplayName = "minimumRequests 0")]
    [DataRow("""{"errorRatioDelta": 0}""", "guard.errorRatioDelta: 0 is out of range (above 0, at most 1)", DisplayName = "errorRatioDelta 0")]
    [DataRow("""{"errorRatioDelta": 1.5}""", "guard.errorRatioDelta: 1.5 is out of range", DisplayName = "errorRatioDelta above 1")]
    [DataRow("""{"p99Factor": 0.5}""", "guard.p99Factor: 0.5 is out of range (1 to 1000)", DisplayName = "p99Factor below 1")]
    [DataRow("""{"p99SlackMs": -1}""", "guard.p99SlackMs: -1 is out of range", DisplayName = "negative p99SlackMs")]
    [DataRow("""{"consecutiveBreaches": 101}""", "guard.consecutiveBreaches: 101 is out of range (1 to 100)", DisplayName = "consecutiveBreaches above 100")]
    public async Task Deploy_GuardValueOutOfRange_Returns400NamingTheFieldAndStoresNothing(string guard, string expected)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source);
        var body = "{\"source\": \"export default () => 'v2';\", \"manifest\": {\"guard\": " + guard + "}}";

        using var response = await host.Client.PostAsync("/needle/api/functions/shop/versions", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        var detail = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/shop");

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        StringAssert.Contains(text, expected);
        Assert.AreEqual(1, detail!["versions"]!.AsArray().Count);
        Assert.AreEqual("v", (await host.GetAsync("/fn/shop")).Body);
    }

    [TestMethod]
    public async Task Deploy_GuardValueOfTheWrongType_Returns400SayingWhere()
    {
        await using var host = await TestHost.StartAsync();
        const string body = """{"source": "export default () => 1;", "manifest": {"guard": {"minimumRequests": "many"}}}""";

        using var response = await host.Client.PostAsync("/needle/api/functions/shop/versions", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        StringAssert.Contains(text, "$.manifest.guard.minimumRequests");
    }

    [TestMethod]
    public async Task Deploy_ManifestWithAPartialGuard_IsStoredWithTheVersionAndChangesItsHash()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source, new { route = "/shop" });

        var number = await host.DeployAsync("shop", Source, new { route = "/shop", guard = new { errorRatioDelta = 0.2 } });
        var version = await host.Client.GetFromJsonAsync<JsonNode>($"/needle/api/functions/shop/versions/{number}");

        Assert.AreEqual(2, number, "the same source with a guard is another version");
        var guard = version!["manifest"]!["guard"]!;
        Assert.AreEqual(0.2, guard["errorRatioDelta"]!.GetValue<double>());
        Assert.IsNull(guard["minimumRequests"], "a field left out stays unset, so the host's value applies");
    }

    [TestMethod]
    public void Normalize_SeveralBadGuardValues_NamesEveryOne()
    {
        var manifest = new FunctionManifest { Name = "shop", Guard = new FunctionGuard { MinimumRequests = -1, P99Factor = double.PositiveInfinity, ConsecutiveBreaches = 3 } };

        var problem = Assert.ThrowsExactly<FunctionValidationException>(() => ManifestValidator.Normalize(manifest, [FunctionRuntimes.JavaScript], new HashSet<string>()));

        CollectionAssert.AreEqual(
            new[] { "guard.minimumRequests", "guard.p99Factor" },
            problem.Diagnostics.Select(d => d.Message[..d.Message.IndexOf(':', StringComparison.Ordinal)]).ToArray());
    }
}
