using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Releases;

[TestClass]
public sealed class KillSwitchApiTests
{
    [TestMethod]
    public async Task Kill_AnswersTheFallbackWithoutRunningAnyVersion()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("pay", "export default () => { throw new Error('downstream melting'); };");

        using var kill = await host.Client.PostAsJsonAsync("/needle/api/functions/pay/kill", new
        {
            fallback = new { status = 503, body = "{\"message\":\"payments paused\"}", headers = new Dictionary<string, string> { ["Retry-After"] = "30" } },
            reason = "incident 42",
        });
        using var response = await host.Client.GetAsync("/fn/pay");

        Assert.AreEqual(HttpStatusCode.OK, kill.StatusCode, await kill.Content.ReadAsStringAsync());
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.AreEqual("{\"message\":\"payments paused\"}", await response.Content.ReadAsStringAsync());
        Assert.AreEqual("killed", response.Headers.GetValues("Needle-Release").Single());
        Assert.AreEqual("30", response.Headers.GetValues("Retry-After").Single());
    }

    [TestMethod]
    public async Task Kill_StaysOnAcrossADeployUntilLifted()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("pay", "export default () => 'v1';");
        using var kill = await host.Client.PostAsJsonAsync("/needle/api/functions/pay/kill", new { fallback = new { status = 200, body = "\"paused\"" }, reason = "incident" });

        await host.DeployAsync("pay", "export default () => 'v2';");
        var whileKilled = await host.GetAsync("/fn/pay");
        using var revive = await host.Client.DeleteAsync("/needle/api/functions/pay/kill?reason=fixed");
        var after = await host.GetAsync("/fn/pay");
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=pay");

        Assert.AreEqual("\"paused\"", whileKilled.Body);
        Assert.AreEqual(HttpStatusCode.OK, revive.StatusCode);
        Assert.AreEqual("v2", after.Body);
        CollectionAssert.IsSubsetOf(new[] { "kill", "revive" }, audit!.Select(e => e!["action"]!.GetValue<string>()).ToArray());
    }

    [TestMethod]
    [DataRow("{\"fallback\": {\"status\": 700}, \"reason\": \"x\"}", HttpStatusCode.BadRequest, "between 200 and 599", DisplayName = "bad status")]
    [DataRow("{\"fallback\": {\"status\": 503}}", HttpStatusCode.BadRequest, "reason", DisplayName = "no reason")]
    [DataRow("{\"reason\": \"x\"}", HttpStatusCode.BadRequest, "fallback", DisplayName = "no fallback")]
    [DataRow("{\"fallback\": {\"status\": 503, \"headers\": {\"bad name\": \"v\"}}, \"reason\": \"x\"}", HttpStatusCode.BadRequest, "not a valid header", DisplayName = "bad header")]
    [DataRow("{\"fallback\": {\"status\": 101}, \"reason\": \"x\"}", HttpStatusCode.BadRequest, "between 200 and 599", DisplayName = "1xx status")]
    [DataRow("{\"fallback\": {\"status\": 503, \"headers\": {\"Needle-Version\": \"pay@9\"}}, \"reason\": \"x\"}", HttpStatusCode.BadRequest, "'Needle-Version' is Needle's", DisplayName = "Needle's version header")]
    [DataRow("{\"fallback\": {\"status\": 503, \"headers\": {\"needle-anything\": \"x\"}}, \"reason\": \"x\"}", HttpStatusCode.BadRequest, "'needle-anything' is Needle's", DisplayName = "a Needle-* header")]
    [DataRow("{\"fallback\": {\"status\": 503, \"headers\": {\"Transfer-Encoding\": \"chunked\"}}, \"reason\": \"x\"}", HttpStatusCode.BadRequest, "framing or hop-by-hop", DisplayName = "framing header")]
    [DataRow("{\"fallback\": {\"status\": 503, \"headers\": {\"Proxy-Authenticate\": \"Basic\"}}, \"reason\": \"x\"}", HttpStatusCode.BadRequest, "framing or hop-by-hop", DisplayName = "Proxy-* header")]
    [DataRow("{\"fallback\": {\"status\": 503, \"headers\": {\"Content-Security-Policy\": \"default-src *\"}}, \"reason\": \"x\"}", HttpStatusCode.BadRequest, "sandbox", DisplayName = "CSP over the sandbox")]
    [DataRow("{\"fallback\": {\"status\": 503, \"headers\": {\"X-A\": \"a\\u0000b\"}}, \"reason\": \"x\"}", HttpStatusCode.BadRequest, "CR, LF or NUL", DisplayName = "NUL in a value")]
    public async Task Kill_BadRequest_IsRefusedAndTheFunctionKeepsServing(string body, HttpStatusCode expected, string message)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("pay", "export default () => 'v1';");

        using var response = await host.Client.PostAsync("/needle/api/functions/pay/kill", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var served = await host.GetAsync("/fn/pay");

        Assert.AreEqual(expected, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), message);
        Assert.AreEqual("v1", served.Body);
    }

    [TestMethod]
    public async Task Revive_WithoutAKillSwitch_Returns409()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("pay", "export default () => 'v1';");

        using var response = await host.Client.DeleteAsync("/needle/api/functions/pay/kill");

        Assert.AreEqual(HttpStatusCode.Conflict, response.StatusCode);
    }
}
