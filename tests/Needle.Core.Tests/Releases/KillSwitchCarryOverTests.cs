using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Releases;

/// <summary>
/// The kill switch is lifted only by lifting it: every other move of the release (the class of "a change copied the
/// release by hand and forgot the switch") keeps answering the fallback.
/// </summary>
[TestClass]
public sealed class KillSwitchCarryOverTests
{
    [TestMethod]
    [DataRow("canary-deploy", DisplayName = "a deploy as canary")]
    [DataRow("canary", DisplayName = "a canary weight change")]
    [DataRow("promote", DisplayName = "a promote")]
    [DataRow("abort", DisplayName = "an abort")]
    [DataRow("rollback", DisplayName = "a rollback")]
    [DataRow("release", DisplayName = "a whole release set")]
    [DataRow("activate", DisplayName = "an activation of an earlier version")]
    public async Task ReleaseMove_WhileKilled_KeepsAnsweringTheFallback(string move)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("pay", "export default () => 'v1';");
        await host.DeployAsync("pay", "export default () => 'v2';");
        if (move is "canary" or "promote" or "abort")
        {
            using var canary = await host.Client.PutAsJsonAsync("/needle/api/functions/pay/release", new { stableVersion = 2, canaryVersion = 1, canaryWeight = 50, force = true });
            Assert.AreEqual(HttpStatusCode.OK, canary.StatusCode, await canary.Content.ReadAsStringAsync());
        }

        using var kill = await host.Client.PostAsJsonAsync("/needle/api/functions/pay/kill", new { fallback = new { status = 200, body = "\"paused\"" }, reason = "incident" });
        Assert.AreEqual(HttpStatusCode.OK, kill.StatusCode, await kill.Content.ReadAsStringAsync());

        using var moved = move switch
        {
            "canary-deploy" => await host.Client.PostAsJsonAsync("/needle/api/functions/pay/versions", new { source = "export default () => 'v3';", canary = new { weight = 50 } }),
            "canary" => await host.Client.PostAsJsonAsync("/needle/api/functions/pay/canary", new { weight = 10, reason = "less" }),
            "promote" => await host.Client.PostAsJsonAsync("/needle/api/functions/pay/promote", new { reason = "go" }),
            "abort" => await host.Client.PostAsJsonAsync("/needle/api/functions/pay/abort", new { reason = "stop" }),
            "rollback" => await host.Client.PostAsJsonAsync("/needle/api/functions/pay/rollback", new { reason = "back" }),
            "release" => await host.Client.PutAsJsonAsync("/needle/api/functions/pay/release", new { stableVersion = 1, force = true }),
            _ => await host.Client.PostAsJsonAsync("/needle/api/functions/pay/versions/1/activate", new { reason = "older" }),
        };
        var whileKilled = await host.GetAsync("/fn/pay");
        var function = await host.Client.GetFromJsonAsync<JsonObject>("/needle/api/functions/pay");

        Assert.IsTrue(moved.IsSuccessStatusCode, $"{move}: {(int)moved.StatusCode} {await moved.Content.ReadAsStringAsync()}");
        Assert.AreEqual("\"paused\"", whileKilled.Body, $"after {move}");
        Assert.IsNotNull(function!["function"]!["release"]!["killSwitch"], $"after {move} the release has no kill switch");
    }
}
