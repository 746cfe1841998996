using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Quality;

/// <summary>
/// The quality gate on release moves: a version that takes a role it did not have (canary, promote, activate, a
/// whole release) runs its cases first. The cases here are live against a downstream whose answer the test changes,
/// as when a service's contract moves under a staged version.
/// </summary>
[TestClass]
public sealed class ReleaseGateTests
{
    private static volatile string s_name = "ada";

    private static async Task<(LoopbackServer Downstream, TestHost Host)> StartAsync()
    {
        s_name = "ada";
        var downstream = await LoopbackServer.StartAsync(app => app.MapGet("/users/{id:int}", (int id) => new { id, name = s_name }));
        var host = await TestHost.StartAsync(needle: n => n.AddDownstream("backend", downstream.Address));
        var live = (JsonArray)JsonNode.Parse("""
            [ { "name": "live lookup", "live": true, "request": { "params": { "id": "5" } }, "expect": { "status": 200, "jsonPath": { "$.name": "ADA" } } } ]
            """)!;
        await host.DeployAsync("users", TestCaseSamples.JavaScriptUser("'v1:' + user.name"), new { route = "/user/{id}", services = new[] { "backend" } });
        using var staged = await host.TryDeployAsync("users", TestCaseSamples.JavaScriptUser(), TestCaseSamples.UserManifest(tests: live), activate: false);
        Assert.AreEqual(HttpStatusCode.Created, staged.StatusCode, await staged.Content.ReadAsStringAsync());
        return (downstream, host);
    }

    [TestMethod]
    [DataRow("canary", DisplayName = "canary")]
    [DataRow("activate", DisplayName = "activate")]
    [DataRow("release", DisplayName = "PUT release")]
    public async Task Move_VersionNowFailsItsCases_Answers422AndNothingChanges(string move)
    {
        var (downstream, host) = await StartAsync();
        await using var _ = downstream;
        await using var __ = host;
        s_name = "bob";

        using var response = move switch
        {
            "canary" => await host.Client.PostAsJsonAsync("/needle/api/functions/users/canary", new { version = 2, weight = 10, reason = "try" }),
            "activate" => await host.Client.PostAsJsonAsync("/needle/api/functions/users/versions/2/activate", new { reason = "go" }),
            _ => await host.Client.PutAsJsonAsync("/needle/api/functions/users/release", new { stableVersion = 1, canaryVersion = 2, canaryWeight = 50 }),
        };
        var problem = await response.Content.ReadFromJsonAsync<JsonNode>();
        var release = (await host.GetJsonAsync("/needle/api/functions/users"))["function"]!["release"]!;

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode, problem?.ToJsonString());
        Assert.AreEqual("live lookup", problem!["failures"]![0]!["name"]!.GetValue<string>());
        Assert.AreEqual(1, release["stableVersion"]!.GetValue<int>());
        Assert.IsNull(release["canaryVersion"]);
    }

    [TestMethod]
    public async Task Promote_CanaryNowFailsItsCases_Answers422AndTheCanaryStaysACanary()
    {
        var (downstream, host) = await StartAsync();
        await using var _ = downstream;
        await using var __ = host;
        using var canary = await host.Client.PostAsJsonAsync("/needle/api/functions/users/canary", new { version = 2, weight = 10 });
        Assert.AreEqual(HttpStatusCode.OK, canary.StatusCode, await canary.Content.ReadAsStringAsync());
        s_name = "bob";

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/users/promote", new { reason = "looks good" });
        var release = (await host.GetJsonAsync("/needle/api/functions/users"))["function"]!["release"]!;

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual(1, release["stableVersion"]!.GetValue<int>());
        Assert.AreEqual(2, release["canaryVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Promote_CasesStillPass_Promotes()
    {
        var (downstream, host) = await StartAsync();
        await using var _ = downstream;
        await using var __ = host;
        using var canary = await host.Client.PostAsJsonAsync("/needle/api/functions/users/canary", new { version = 2, weight = 10 });

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/users/promote", new { reason = "looks good" });
        var served = await host.GetAsync("/fn/user/5");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual("users@2", served.Version);
    }

    [TestMethod]
    public async Task Rollback_ToAVersionWhoseCasesNowFail_IsNotHeldUp()
    {
        var (downstream, host) = await StartAsync();
        await using var _ = downstream;
        await using var __ = host;
        using var activate = await host.Client.PostAsJsonAsync("/needle/api/functions/users/versions/2/activate", new { reason = "go" });
        Assert.AreEqual(HttpStatusCode.OK, activate.StatusCode, await activate.Content.ReadAsStringAsync());
        await host.DeployAsync("users", TestCaseSamples.JavaScriptUser("'v3:' + user.name"), new { route = "/user/{id}", services = new[] { "backend" } });
        s_name = "bob";

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/users/rollback", new { reason = "emergency" });

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual("users@2", (await host.GetAsync("/fn/user/5")).Version, "rollback goes back to version 2 although its live case fails now");
    }
}
