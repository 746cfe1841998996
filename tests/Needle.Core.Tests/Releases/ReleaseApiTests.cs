using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Releases;

[TestClass]
public sealed class ReleaseApiTests
{
    private static string Source(string tag) => $"export default () => '{tag}';";

    [TestMethod]
    public async Task DeployAsCanary_SplitsTrafficByUserAndSaysWhichServed()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source("stable"));

        using var deploy = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/versions", new { source = Source("canary"), canary = new { weight = 30 }, reason = "try it" });
        var roles = new Dictionary<string, int>();
        for (var i = 0; i < 300; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/fn/shop") { Headers = { { "Needle-User", $"user-{i}" } } };
            using var response = await host.Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var role = response.Headers.GetValues("Needle-Release").Single();
            Assert.AreEqual(role, body, "the body and the release header disagree");
            Assert.AreEqual(role == "canary" ? "shop@2" : "shop@1", response.Headers.GetValues("Needle-Version").Single());
            roles[role] = roles.GetValueOrDefault(role) + 1;
        }

        Assert.AreEqual(HttpStatusCode.Created, deploy.StatusCode);
        Assert.IsTrue(roles.GetValueOrDefault("canary") is > 45 and < 135, $"canary share {roles.GetValueOrDefault("canary")} of 300");
    }

    [TestMethod]
    public async Task Promote_MakesTheCanaryStableAndIsAudited()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source("v1"));
        await DeployCanaryAsync(host, "shop", Source("v2"), weight: 10);

        using var promote = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/promote", new { reason = "healthy" });
        var served = await host.GetAsync("/fn/shop");
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=shop");

        Assert.AreEqual(HttpStatusCode.OK, promote.StatusCode);
        Assert.AreEqual("v2", served.Body);
        Assert.AreEqual("promote", audit![0]!["action"]!.GetValue<string>());
        Assert.AreEqual("healthy", audit[0]!["reason"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Abort_RemovesTheCanary()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source("v1"));
        await DeployCanaryAsync(host, "shop", Source("v2"), weight: 100);

        using var abort = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/abort", new { reason = "not yet" });
        var served = await host.GetAsync("/fn/shop");

        Assert.AreEqual(HttpStatusCode.OK, abort.StatusCode);
        Assert.AreEqual("v1", served.Body);
    }

    [TestMethod]
    public async Task Canary_WeightChange_KeepsTheCanaryAndItsPins()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source("v1"));
        await DeployCanaryAsync(host, "shop", Source("v2"), weight: 0, pins: ["qa-1"]);

        using var change = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/canary", new { weight = 0.5, reason = "widen" });
        var release = await change.Content.ReadFromJsonAsync<JsonNode>();
        using var pinned = new HttpRequestMessage(HttpMethod.Get, "/fn/shop") { Headers = { { "Needle-User", "qa-1" } } };
        using var pinnedResponse = await host.Client.SendAsync(pinned);

        Assert.AreEqual(HttpStatusCode.OK, change.StatusCode);
        Assert.AreEqual(2, release!["canaryVersion"]!.GetValue<int>());
        Assert.AreEqual(0.5, release["canaryWeight"]!.GetValue<double>());
        Assert.AreEqual("v2", await pinnedResponse.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task Rollback_WithoutCanary_ReturnsThePreviousStableMarksTheBadOneAndIsAudited()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source("v1"));
        await host.DeployAsync("shop", Source("v2"));

        using var rollback = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/rollback", new { reason = "errors up" });
        var served = await host.GetAsync("/fn/shop");
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=shop");
        using var reactivate = await host.Client.PutAsJsonAsync("/needle/api/functions/shop/release", new { stableVersion = 2 });

        Assert.AreEqual(HttpStatusCode.OK, rollback.StatusCode);
        Assert.AreEqual("v1", served.Body);
        Assert.AreEqual("shop@1", served.Version);
        Assert.AreEqual("rollback", audit![0]!["action"]!.GetValue<string>());
        Assert.AreEqual(HttpStatusCode.Conflict, reactivate.StatusCode);
        StringAssert.Contains(await reactivate.Content.ReadAsStringAsync(), "marked bad");
    }

    [TestMethod]
    public async Task Rollback_WithCanary_DropsAndMarksTheCanary()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source("v1"));
        await DeployCanaryAsync(host, "shop", Source("v2"), weight: 100);

        using var rollback = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/rollback", new { reason = "canary failing" });
        var served = await host.GetAsync("/fn/shop");
        using var again = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/canary", new { version = 2, weight = 5 });
        using var forced = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/canary", new { version = 2, weight = 5, force = true });

        Assert.AreEqual(HttpStatusCode.OK, rollback.StatusCode);
        Assert.AreEqual("v1", served.Body);
        Assert.AreEqual(HttpStatusCode.Conflict, again.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, forced.StatusCode);
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Rollback_PreviousVersionIsWarm_TakesMillisecondsNotALoad()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source("v1"));
        await host.DeployAsync("shop", Source("v2"));
        var functions = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/shop");

        var watch = Stopwatch.StartNew();
        using var rollback = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/rollback", new { reason = "drill" });
        var served = await host.GetAsync("/fn/shop");
        watch.Stop();

        Assert.AreEqual("v1", served.Body);
        // Generous: catches a regression by orders of magnitude (a cold load, a restart), not a slow machine.
        Assert.IsLessThan(TimeSpan.FromSeconds(1), watch.Elapsed, $"rollback took {watch.Elapsed}");
        Assert.IsNotNull(functions);
    }

    [TestMethod]
    public async Task PinHeader_FromALocalCaller_ServesTheNamedVersion()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source("v1"));
        await DeployCanaryAsync(host, "shop", Source("v2"), weight: 0);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/fn/shop") { Headers = { { "Needle-Pin", "canary" } } };
        using var response = await host.Client.SendAsync(request);

        Assert.AreEqual("v2", await response.Content.ReadAsStringAsync());
        Assert.AreEqual("pinned", response.Headers.GetValues("Needle-Release").Single());
    }

    [TestMethod]
    public async Task ConcurrentPromoteAndRollback_LeaveOneConsistentState()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source("v1"));
        await host.DeployAsync("shop", Source("v2"));
        await DeployCanaryAsync(host, "shop", Source("v3"), weight: 50);

        var promote = host.Client.PostAsJsonAsync("/needle/api/functions/shop/promote", new { reason = "a" });
        var rollback = host.Client.PostAsJsonAsync("/needle/api/functions/shop/rollback", new { reason = "b" });
        using var promoted = await promote;
        using var rolledBack = await rollback;
        var function = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/shop");
        var release = function!["function"]!["release"]!;
        var served = await host.GetAsync("/fn/shop");

        Assert.IsTrue(promoted.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"promote: {promoted.StatusCode}");
        Assert.IsTrue(rolledBack.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"rollback: {rolledBack.StatusCode}");
        var stable = release["stableVersion"]!.GetValue<int>();
        Assert.IsNull(release["canaryVersion"]);
        Assert.AreEqual($"shop@{stable}", served.Version);
        Assert.AreEqual($"shop@{stable}", function["function"]!["serving"]!.GetValue<string>());
    }

    [TestMethod]
    [DataRow("{\"version\": 9, \"weight\": 10}", HttpStatusCode.NotFound, "no version 9", DisplayName = "unknown version")]
    [DataRow("{\"version\": 2, \"weight\": 101}", HttpStatusCode.BadRequest, "between 0 and 100", DisplayName = "weight over 100")]
    [DataRow("{\"version\": 2, \"weight\": -1}", HttpStatusCode.BadRequest, "between 0 and 100", DisplayName = "negative weight")]
    [DataRow("{\"version\": 1, \"weight\": 10}", HttpStatusCode.BadRequest, "stable version", DisplayName = "stable as canary")]
    [DataRow("{\"version\": 3, \"weight\": 10}", HttpStatusCode.BadRequest, "route and methods", DisplayName = "canary with another route")]
    [DataRow("{\"weight\": 10}", HttpStatusCode.Conflict, "no canary", DisplayName = "weight without a canary")]
    public async Task Canary_BadRequest_IsRefusedWithNothingChanged(string body, HttpStatusCode expected, string message)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source("v1"));
        await host.DeployAsync("shop", Source("v2"), null);
        using var _ = await host.Client.PostAsync("/needle/api/functions/shop/versions/1/activate", null);
        using var third = await host.TryDeployAsync("shop", Source("v3"), new { route = "/elsewhere" }, activate: false);
        await host.DeployAsync("other", Source("other"));
        var before = await host.Client.GetStringAsync("/needle/api/functions/shop/releases");

        using var response = await host.Client.PostAsync("/needle/api/functions/shop/canary", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        var after = await host.Client.GetStringAsync("/needle/api/functions/shop/releases");

        Assert.AreEqual(expected, response.StatusCode, text);
        StringAssert.Contains(text, message);
        Assert.AreEqual(before, after);
    }

    [TestMethod]
    public async Task Promote_WithoutCanary_Returns409()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source("v1"));

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/promote", new { });

        Assert.AreEqual(HttpStatusCode.Conflict, response.StatusCode);
    }

    [TestMethod]
    public async Task DeployAsCanary_FirstVersion_Returns400()
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/versions", new { source = Source("v1"), canary = new { weight = 10 } });

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "cannot be a canary");
    }

    [TestMethod]
    public async Task Releases_ListsHistoryNewestFirst()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", Source("v1"));
        await DeployCanaryAsync(host, "shop", Source("v2"), weight: 5);
        using var _ = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/promote", new { });

        var history = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/functions/shop/releases");

        CollectionAssert.AreEqual(new[] { "promote", "canary", "deploy" }, history!.Select(r => r!["action"]!.GetValue<string>()).ToArray());
    }

    private static async Task DeployCanaryAsync(TestHost host, string name, string source, double weight, string[]? pins = null)
    {
        using var response = await host.Client.PostAsJsonAsync($"/needle/api/functions/{name}/versions", new { source, canary = new { weight, pins } });
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
