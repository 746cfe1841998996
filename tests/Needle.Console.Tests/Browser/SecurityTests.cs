using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Needle.Console.Tests.Infrastructure;

namespace Needle.Console.Tests.Browser;

[TestClass]
public sealed class SecurityTests
{
    [TestMethod]
    public async Task CrossSitePost_FromAnotherSiteInTheBrowser_IsRefused()
    {
        await using var host = await ConsoleHost.StartAsync();
        await host.DeployAsync("hello", "export default () => ({ message: 'v2' })", new { route = "/hello", methods = new[] { "GET" } });
        var page = await Infrastructure.Browser.NewPageAsync();
        // A page on another site whose form posts to the local control plane: the classic CSRF shape (no preflight).
        var target = new Uri(host.Address, "/needle/api/functions/hello/rollback");
        await page.Context.RouteAsync("http://evil.test/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = $"<form method=post action='{target}' enctype='text/plain'><input name='{{\"reason\":\"x\",\"a\":\"' value='\"}}'><button>go</button></form>",
        }));
        await page.GotoAsync("http://evil.test/");

        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button"), target.ToString());
        // A form can only send form or text bodies: the API's JSON-only endpoints refuse them (415) before anything
        // runs, and a JSON request from the same page cannot leave the browser without a CORS preflight the API does
        // not answer. A JSON request that does arrive cross-site is refused by Sec-Fetch-Site (403, tested below).
        var other = await page.Context.NewPageAsync();
        await other.GotoAsync("http://evil.test/");
        var fetched = await other.EvaluateAsync<string>(
            "url => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{\"reason\":\"x\"}' }).then(r => 'sent ' + r.status, e => 'blocked')",
            target.ToString());

        Assert.IsTrue(response.Status is 403 or 415, $"The cross-site form post got {response.Status}.");
        Assert.AreEqual("blocked", fetched);
        Assert.AreEqual("hello@2", await host.ServedByAsync("/fn/hello"));
        var release = (await host.GetJsonAsync("/needle/api/functions/hello"))["function"]!["release"]!;
        Assert.AreEqual(2, release["stableVersion"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task CrossSiteJsonPost_ThatReachesTheApi_IsRefused()
    {
        await using var host = await ConsoleHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/needle/api/functions/hello/abort")
        {
            Content = new StringContent("{\"reason\":\"x\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        request.Headers.Add("Origin", "http://evil.test");

        using var response = await host.Client.SendAsync(request);

        Assert.AreEqual(System.Net.HttpStatusCode.Forbidden, response.StatusCode);
    }

    [TestMethod]
    public async Task Console_UserSuppliedText_IsNeverRenderedAsHtml()
    {
        await using var host = await ConsoleHost.StartAsync();
        var reason = "<img src=x onerror=\"document.body.dataset.pwned='1'\">";
        using var response = await host.Client.PostAsync("/needle/api/functions/hello/versions", new StringContent(
            new JsonObject { ["source"] = "export default () => 1", ["reason"] = reason, ["manifest"] = new JsonObject { ["route"] = "/hello" } }.ToJsonString(),
            System.Text.Encoding.UTF8,
            "application/json"));
        response.EnsureSuccessStatusCode();
        var page = await Infrastructure.Browser.NewPageAsync();

        await page.GotoAsync(new Uri(host.Address, "/needle/#/fn/hello").ToString());

        await Assertions.Expect(page.Locator("section.audit")).ToContainTextAsync(reason);
        Assert.AreEqual(0, await page.Locator("section.audit img").CountAsync());
        Assert.IsNull(await page.EvaluateAsync<string?>("document.body.dataset.pwned ?? null"));
    }

    [TestMethod]
    public async Task FunctionPage_Sandboxed_CannotReadTheApi()
    {
        await using var host = await ConsoleHost.StartAsync();
        await host.DeployAsync("evil", ProbePage, new { route = "/evil", methods = new[] { "GET" } });

        var title = await ProbeAsync(host, "/fn/evil", waitForRead: false);

        Assert.AreEqual("start", title, "The function's script ran with the host's origin and read the API.");
    }

    [TestMethod]
    public async Task FunctionPage_OptedOutOfTheSandbox_CanReadTheApi()
    {
        // The risk the opt-out documents, and the proof that the probe above would see a read if one happened.
        await using var host = await ConsoleHost.StartAsync();
        await host.DeployAsync("active", ProbePage, new { route = "/active", methods = new[] { "GET" }, sandbox = false });

        var title = await ProbeAsync(host, "/fn/active", waitForRead: true);

        StringAssert.StartsWith(title, "read:");
    }

    /// <summary>A function's HTML whose script reads the function list, as the operator who opens the page.</summary>
    private const string ProbePage = """
        export default () => ({
          status: 200,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: "<html><head><title>start</title></head><body><script>fetch('/needle/api/functions').then(r => r.ok ? r.text() : Promise.reject(r.status)).then(t => { document.title = 'read:' + t.length; }, e => { document.title = 'blocked:' + e; });</script></body></html>",
        });
        """;

    private static async Task<string> ProbeAsync(ConsoleHost host, string path, bool waitForRead)
    {
        var page = await Infrastructure.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Address, path).ToString());
        if (waitForRead)
        {
            await page.WaitForFunctionAsync("() => document.title.startsWith('read:')");
        }
        else
        {
            // Give a script every chance to run (loaded machine): the local API answers in milliseconds.
            await page.WaitForTimeoutAsync(2_000);
        }

        return await page.TitleAsync();
    }
}
