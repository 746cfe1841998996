using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Tests.Infrastructure;
using Needle.Tests.Runtime.CSharp;

namespace Needle.Tests.Routing;

/// <summary>
/// What a function may answer, through the real host and for both runtimes: Needle's, framing and hop-by-hop
/// headers are refused, statuses outside 200–599 are refused, responses are sandboxed, host loops are capped.
/// </summary>
[TestClass]
public sealed class FunctionResponseRulesTests : ClassHostTests<FunctionResponseRulesTests, TestHost>, IClassHost<TestHost>
{
    public static async Task<TestHost> StartClassHostAsync()
    {
        var host = await TestHost.StartAsync(o => o.VersionHeaderName = "X-Served-By");
        await host.DeployAsync("js-header", "export default (req) => ({ status: 200, headers: { [req.query.name]: req.query.value ?? 'x' }, body: 'ok' });");
        await host.DeployAsync("cs-header", CSharpTestHost.Handler("""
            return new FunctionResponse { StatusCode = 200, Headers = [new(request.Query["name"].ToString(), request.Query["value"].Count > 0 ? request.Query["value"].ToString() : "x")], Body = "ok" };
            """), new { runtime = "csharp", methods = new[] { "GET" } });
        await host.DeployAsync("js-status", "export default (req) => ({ status: Number(req.query.status), body: 'ok' });");
        await host.DeployAsync("cs-status", CSharpTestHost.Handler("""
            return new FunctionResponse { StatusCode = int.Parse(request.Query["status"].ToString()), Body = "ok" };
            """), new { runtime = "csharp", methods = new[] { "GET" } });
        await host.DeployAsync("page", "export default () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<script>fetch(\"/needle/api/functions\")</script>' });");
        await host.DeployAsync("cs-page", CSharpTestHost.Handler("return \"hi\";"), new { runtime = "csharp", methods = new[] { "GET" } });
        await host.DeployAsync("thrower", "export default () => { throw new Error('no'); };");
        await host.DeployAsync("active", "export default () => ({ status: 200, headers: { 'content-type': 'text/html', 'content-security-policy': \"default-src 'self'\" }, body: '<p>app</p>' });", new { sandbox = false });
        await host.DeployAsync("well", "export default () => 'fine';");
        return host;
    }

    [TestMethod]
    [DataRow("js-header", "Needle-Version", DisplayName = "JS: Needle-Version")]
    [DataRow("js-header", "needle-release", DisplayName = "JS: needle-release")]
    [DataRow("js-header", "Needle-Anything", DisplayName = "JS: any Needle-*")]
    [DataRow("js-header", "x-served-by", DisplayName = "JS: the configured version header")]
    [DataRow("js-header", "Content-Length", DisplayName = "JS: Content-Length")]
    [DataRow("js-header", "Transfer-Encoding", DisplayName = "JS: Transfer-Encoding")]
    [DataRow("js-header", "Connection", DisplayName = "JS: Connection")]
    [DataRow("js-header", "Keep-Alive", DisplayName = "JS: Keep-Alive")]
    [DataRow("js-header", "Upgrade", DisplayName = "JS: Upgrade")]
    [DataRow("js-header", "TE", DisplayName = "JS: TE")]
    [DataRow("js-header", "Trailer", DisplayName = "JS: Trailer")]
    [DataRow("js-header", "Proxy-Authenticate", DisplayName = "JS: Proxy-*")]
    [DataRow("js-header", "Content-Security-Policy", DisplayName = "JS: CSP while sandboxed")]
    [DataRow("cs-header", "Needle-Version", DisplayName = "C#: Needle-Version")]
    [DataRow("cs-header", "Needle-Release", DisplayName = "C#: Needle-Release")]
    [DataRow("cs-header", "x-served-by", DisplayName = "C#: the configured version header")]
    [DataRow("cs-header", "Content-Length", DisplayName = "C#: Content-Length")]
    [DataRow("cs-header", "Transfer-Encoding", DisplayName = "C#: Transfer-Encoding")]
    [DataRow("cs-header", "Proxy-Connection", DisplayName = "C#: Proxy-*")]
    [DataRow("cs-header", "Content-Security-Policy", DisplayName = "C#: CSP while sandboxed")]
    public async Task Invoke_ReservedResponseHeader_Is500NamingItAndNeedlesHeadersStayOne(string function, string header)
    {
        using var response = await Host.Client.GetAsync($"/fn/{function}?name={Uri.EscapeDataString(header)}&value=evil%409");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.AreEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.AreEqual("Invalid function response", problem["title"]!.GetValue<string>());
        StringAssert.Contains(problem["detail"]!.GetValue<string>(), $"'{header}'");
        Assert.AreEqual($"{function}@1", response.Headers.GetValues("X-Served-By").Single());
        Assert.AreEqual("stable", response.Headers.GetValues("Needle-Release").Single());
        Assert.AreEqual("sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [TestMethod]
    [DataRow("js-header", "a%0Db", DisplayName = "JS: CR")]
    [DataRow("js-header", "a%0D%0Ab", DisplayName = "JS: CR LF")]
    [DataRow("js-header", "a%00b", DisplayName = "JS: NUL")]
    [DataRow("cs-header", "a%0Db", DisplayName = "C#: CR")]
    [DataRow("cs-header", "a%0Ab", DisplayName = "C#: LF")]
    [DataRow("cs-header", "a%00b", DisplayName = "C#: NUL")]
    public async Task Invoke_HeaderValueWithControlCharacters_Is500(string function, string value)
    {
        using var response = await Host.Client.GetAsync($"/fn/{function}?name=X-A&value={value}");

        Assert.AreEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "CR, LF or NUL");
    }

    [TestMethod]
    public async Task Invoke_OrdinaryHeader_IsSent()
    {
        using var js = await Host.Client.GetAsync("/fn/js-header?name=X-Shop&value=open");
        using var cs = await Host.Client.GetAsync("/fn/cs-header?name=X-Shop&value=open");

        Assert.AreEqual("open", js.Headers.GetValues("X-Shop").Single());
        Assert.AreEqual("open", cs.Headers.GetValues("X-Shop").Single());
    }

    [TestMethod]
    [DataRow("js-status", 100)]
    [DataRow("js-status", 101)]
    [DataRow("js-status", 199)]
    [DataRow("js-status", 600)]
    [DataRow("cs-status", 101)]
    [DataRow("cs-status", 103)]
    [DataRow("cs-status", 0)]
    [DataRow("cs-status", 600)]
    public async Task Invoke_StatusOutside200To599_Is500(string function, int status)
    {
        using var response = await Host.Client.GetAsync($"/fn/{function}?status={status}");

        Assert.AreEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "from 200 to 599");
    }

    [TestMethod]
    [DataRow("/fn/page", 200, DisplayName = "a JavaScript page")]
    [DataRow("/fn/cs-page", 200, DisplayName = "a C# answer")]
    [DataRow("/fn/thrower", 500, DisplayName = "an error problem")]
    [DataRow("/fn/js-status?status=101", 500, DisplayName = "a refused response")]
    public async Task Invoke_AnyFunctionResponse_CarriesTheSandboxPolicy(string path, int status)
    {
        using var response = await Host.Client.GetAsync(path);

        Assert.AreEqual(status, (int)response.StatusCode);
        Assert.AreEqual("sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [TestMethod]
    public async Task Invoke_ManifestOptedOutOfTheSandbox_SendsItsOwnPolicy()
    {
        using var response = await Host.Client.GetAsync("/fn/active");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [TestMethod]
    public async Task KillSwitch_Fallback_CarriesTheSandboxPolicy()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("pay", "export default () => 'v1';");
        using var kill = await host.Client.PostAsJsonAsync("/needle/api/functions/pay/kill", new { fallback = new { status = 200, body = "<script>1</script>", contentType = "text/html", headers = new Dictionary<string, string> { ["X-Degraded"] = "1" } }, reason = "test" });
        Assert.AreEqual(HttpStatusCode.OK, kill.StatusCode, await kill.Content.ReadAsStringAsync());

        using var response = await host.Client.GetAsync("/fn/pay");

        Assert.AreEqual("sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.AreEqual("1", response.Headers.GetValues("X-Degraded").Single());
    }

    [TestMethod]
    public async Task TestInvoke_ReservedHeader_ReportsTheSameRule()
    {
        using var response = await Host.Client.PostAsJsonAsync("/needle/api/functions/js-header/versions/1/invoke", new { method = "GET", query = new Dictionary<string, string> { ["name"] = "Needle-Version" } });
        var text = await response.Content.ReadAsStringAsync();

        StringAssert.Contains(text, "'Needle-Version' is Needle's", text);
    }

    [TestMethod]
    [DataRow("const v = []; v.length = 2 ** 32 - 1; return { status: 200, headers: { 'x-a': v }, body: 'ok' };", "responseHeaders", DisplayName = "array of length 2**32 - 1")]
    [DataRow("const v = []; v[2 ** 32 - 2] = 'x'; return { status: 200, headers: { 'x-a': v }, body: 'ok' };", "responseHeaders", DisplayName = "sparse array")]
    [DataRow("const h = {}; for (let i = 0; i < 300; i++) h['x-' + i] = 'v'; return { status: 200, headers: h, body: 'ok' };", "responseHeaders", DisplayName = "300 header names")]
    [DataRow("const h = {}; for (let i = 0; i < 20; i++) h['x-' + i] = Array(20).fill('v'); return { status: 200, headers: h, body: 'ok' };", "responseHeaders", DisplayName = "400 values over 20 names")]
    [DataRow("return { status: 200, headers: { 'x-a': { length: 2 ** 32 - 1 } }, body: 'ok' };", null, DisplayName = "object with a giant length")]
    [DataRow("const v = new Proxy([], { get: (t, k) => k === 'length' ? 1e300 : 'x' }); return { status: 200, headers: { 'x-a': v }, body: 'ok' };", null, DisplayName = "proxy with a giant length")]
    [DoNotParallelize]
    public async Task Invoke_HeaderLoopDrivenByTheFunction_Is500AtOnce(string body, string? limit)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("loop", $"export default () => {{ {body} }};", new { limits = new { timeoutMs = 20_000 } });
        await host.DeployAsync("well", "export default () => 'fine';");

        var watch = Stopwatch.StartNew();
        using var response = await host.Client.GetAsync("/fn/loop");
        watch.Stop();
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var well = await host.GetAsync("/fn/well");

        Assert.AreEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        if (limit is not null)
        {
            Assert.AreEqual(limit, problem["limit"]!.GetValue<string>());
            StringAssert.Contains(problem["detail"]!.GetValue<string>(), "256");
        }

        // Well before the 20 s timeout: the loop never started (the machine is loaded, hence the room).
        Assert.IsLessThan(10_000, watch.ElapsedMilliseconds, $"answered after {watch.ElapsedMilliseconds} ms");
        Assert.AreEqual((200, "fine"), (well.Status, well.Body));
    }
}
