using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Patching;

[TestClass]
public sealed class PatchApiTests
{
    private const string Source = "export default (req, ctx) => {\n  const limit = 10;\n  return { limit, mode: ctx.config.mode ?? 'normal' };\n};\n";
    private const string Diff = "--- a/fn.js\n+++ b/fn.js\n@@ -1,4 +1,4 @@\n export default (req, ctx) => {\n-  const limit = 10;\n+  const limit = 2;\n   return { limit, mode: ctx.config.mode ?? 'normal' };\n };\n";

    [TestMethod]
    public async Task Patch_Diff_ServesToAllTrafficWithTheBaseAsParent()
    {
        await using var host = await TestHost.StartAsync();
        var hash = await DeployAsync(host);

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, diff = Diff, reason = "shed load", ticket = "INC-7" });
        var result = await response.Content.ReadFromJsonAsync<JsonNode>();
        var served = await host.GetAsync("/fn/orders");
        var version = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/orders/versions/2");
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode);
        Assert.AreEqual(2, result!["version"]!.GetValue<int>());
        Assert.AreEqual("orders@2", served.Version);
        Assert.AreEqual(2, JsonNode.Parse(served.Body)!["limit"]!.GetValue<int>());
        Assert.AreEqual(1, version!["parentNumber"]!.GetValue<int>());
        var patchEvent = audit!.First(e => e!["action"]!.GetValue<string>() == "patch")!;
        StringAssert.Contains(patchEvent["reason"]!.GetValue<string>(), "INC-7");
    }

    [TestMethod]
    public async Task Patch_Config_ChangesOnlyTheConfig()
    {
        await using var host = await TestHost.StartAsync();
        var hash = await DeployAsync(host);

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, config = new { mode = "degraded" }, reason = "turn off extras" });
        var served = JsonNode.Parse((await host.GetAsync("/fn/orders")).Body)!;

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode);
        Assert.AreEqual("degraded", served["mode"]!.GetValue<string>());
        Assert.AreEqual(10, served["limit"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Patch_KillSwitch_AnswersTheFallback()
    {
        await using var host = await TestHost.StartAsync();
        await DeployAsync(host);

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { fallback = new { status = 503, body = "{}" }, reason = "stop the bleeding" });
        var served = await host.GetAsync("/fn/orders");

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual(503, served.Status);
    }

    [TestMethod]
    public async Task Patch_SameIdempotencyKeyTwice_AppliesOnce()
    {
        await using var host = await TestHost.StartAsync();
        var hash = await DeployAsync(host);
        var patch = new { baseHash = hash, diff = Diff, reason = "retry-safe", idempotencyKey = "k-1" };

        using var first = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", patch);
        using var second = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", patch);
        var replay = await second.Content.ReadFromJsonAsync<JsonNode>();
        var detail = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/orders");

        Assert.AreEqual(HttpStatusCode.Created, first.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, second.StatusCode);
        Assert.IsTrue(replay!["replayed"]!.GetValue<bool>());
        Assert.AreEqual(2, detail!["versions"]!.AsArray().Count);
    }

    [TestMethod]
    public async Task Patch_SameKeyTwiceForAKillSwitch_SwitchesOnceAndReplaysTheFirstResult()
    {
        await using var host = await TestHost.StartAsync();
        await DeployAsync(host);
        var patch = new { fallback = new { status = 503, body = "\"paused\"" }, reason = "incident", idempotencyKey = "k-kill" };

        using var first = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", patch);
        using var second = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", patch);
        var replay = await second.Content.ReadFromJsonAsync<JsonNode>();
        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=orders");

        Assert.IsTrue(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());
        Assert.IsTrue(replay!["replayed"]!.GetValue<bool>());
        Assert.AreEqual("kill", replay["kind"]!.GetValue<string>());
        Assert.AreEqual(1, audit!.Count(e => e!["action"]!.GetValue<string>() == "kill"));
    }

    [TestMethod]
    public async Task Patch_SameKeyOnAnotherFunction_IsNotAReplay()
    {
        await using var host = await TestHost.StartAsync();
        var hash = await DeployAsync(host);
        await host.DeployAsync("other", Source, new { route = "/other", methods = new[] { "GET" } });
        var otherHash = (await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/other/versions/1"))!["contentHash"]!.GetValue<string>();

        using var first = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, diff = Diff, reason = "fix", idempotencyKey = "shared" });
        using var second = await host.Client.PostAsJsonAsync("/needle/api/functions/other/patches", new { baseHash = otherHash, diff = Diff, reason = "fix", idempotencyKey = "shared" });
        var result = await second.Content.ReadFromJsonAsync<JsonNode>();

        Assert.AreEqual(HttpStatusCode.Created, first.StatusCode);
        Assert.AreEqual(HttpStatusCode.Created, second.StatusCode, result?.ToJsonString());
        Assert.IsFalse(result!["replayed"]!.GetValue<bool>());
    }

    [TestMethod]
    [DataRow("stale", "{\"baseHash\": \"0000\", \"diff\": \"@@ -1 +1 @@\\n-a\\n+b\\n\", \"reason\": \"x\"}", HttpStatusCode.Conflict, "stale", DisplayName = "stale base hash")]
    [DataRow("no reason", "{\"baseHash\": \"{hash}\", \"source\": \"export default () => 1;\"}", HttpStatusCode.BadRequest, "\"title\":\"Invalid patch\",\"status\":400,\"detail\":\"An emergency patch needs a reason.", DisplayName = "no reason")]
    [DataRow("no hash", "{\"source\": \"export default () => 1;\", \"reason\": \"x\"}", HttpStatusCode.BadRequest, "baseHash is required", DisplayName = "no base hash")]
    [DataRow("two kinds", "{\"baseHash\": \"{hash}\", \"source\": \"export default () => 1;\", \"config\": {}, \"reason\": \"x\"}", HttpStatusCode.BadRequest, "exactly one", DisplayName = "two kinds")]
    [DataRow("bad diff", "{\"baseHash\": \"{hash}\", \"diff\": \"@@ -2,1 +2,1 @@\\n-  const limit = 99;\\n+  const limit = 1;\\n\", \"reason\": \"x\"}", HttpStatusCode.BadRequest, "does not apply", DisplayName = "diff that does not apply")]
    [DataRow("no compile", "{\"baseHash\": \"{hash}\", \"source\": \"export default ( =>\", \"reason\": \"x\"}", HttpStatusCode.BadRequest, "Invalid function", DisplayName = "source that does not parse")]
    public async Task Patch_BadRequest_IsRefusedAndNothingChanges(string _, string body, HttpStatusCode expected, string message)
    {
        await using var host = await TestHost.StartAsync();
        var hash = await DeployAsync(host);

        using var response = await host.Client.PostAsync("/needle/api/functions/orders/patches", new StringContent(body.Replace("{hash}", hash, StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        var served = await host.GetAsync("/fn/orders");

        Assert.AreEqual(expected, response.StatusCode, text);
        StringAssert.Contains(text, message);
        Assert.AreEqual("orders@1", served.Version);
    }

    [TestMethod]
    public async Task Patch_MalformedHunks_Answer400NamingTheLineAndNothingChanges()
    {
        await using var host = await TestHost.StartAsync();
        var hash = await DeployAsync(host);
        string[] diffs =
        [
            "@@ -99999999999 +1 @@\n-a\n+b\n",
            "@@ -1,99999999999 +1,99999999999 @@\n-a\n",
            "@@ -2147483647,2147483647 +1 @@\n-a\n",
            "@@ --1 +1 @@\n-a\n",
            "@@ -1, +1 @@\n-a\n",
            "@@ -0,1 +1,1 @@\n-a\n+b\n",
            "@@ -1,9 +1,9 @@\n export default (req, ctx) => {\n",
            "@@ -1,1 +7,1 @@\n-export default (req, ctx) => {\n+x\n",
        ];

        foreach (var diff in diffs)
        {
            using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, diff, reason = "fuzz" });
            var text = await response.Content.ReadAsStringAsync();

            Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, $"{diff}: {text}");
            StringAssert.Contains(text, "Line ", diff);
        }

        Assert.AreEqual("orders@1", (await host.GetAsync("/fn/orders")).Version);
    }

    [TestMethod]
    public async Task Patch_UnknownFunction_Returns404()
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/ghost/patches", new { baseHash = "x", source = "export default () => 1;", reason = "x" });

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
    }

    [TestMethod]
    public async Task Patch_SecondPatchAgainstTheOldBase_IsRefusedAsStale()
    {
        await using var host = await TestHost.StartAsync();
        var hash = await DeployAsync(host);
        using var first = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, diff = Diff, reason = "first" });

        using var second = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, config = new { mode = "x" }, reason = "second" });

        Assert.AreEqual(HttpStatusCode.Created, first.StatusCode);
        Assert.AreEqual(HttpStatusCode.Conflict, second.StatusCode);
    }

    private static async Task<string> DeployAsync(TestHost host)
    {
        await host.DeployAsync("orders", Source, new { route = "/orders", methods = new[] { "GET" } });
        var version = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/orders/versions/1");
        return version!["contentHash"]!.GetValue<string>();
    }
}
