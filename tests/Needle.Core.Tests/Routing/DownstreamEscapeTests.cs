using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Needle.Tests.Infrastructure;
using Needle.Tests.Runtime.CSharp;

namespace Needle.Tests.Routing;

/// <summary>
/// A fetch stays under its service's base address, with headers the function may set, in both runtimes: one
/// JavaScript and one C# function take the URL, method and headers from the request and report what happened.
/// </summary>
[TestClass]
public sealed class DownstreamEscapeTests
{
    private const string JavaScriptProbe = """
        export default async (req, ctx) => {
          const { url, method, headers, body } = req.body;
          try {
            const r = await ctx.fetch(url, { method, headers, body });
            return { reached: r.status, body: await r.text() };
          } catch (e) {
            return { refused: e.message };
          }
        };
        """;

    private static readonly string CSharpProbe = CSharpTestHost.Handler("""
        var input = JsonNode.Parse(request.Body!)!;
        var headers = new Dictionary<string, string>();
        if (input["headers"] is JsonObject given)
        {
            foreach (var (name, value) in given) headers[name] = value!.GetValue<string>();
        }

        try
        {
            var r = await context.FetchAsync(input["url"]!.GetValue<string>(), new FetchOptions { Method = (string?)input["method"] ?? "GET", Headers = headers, Body = (string?)input["body"] });
            return new { reached = r.Status, body = r.Text };
        }
        catch (FetchException e)
        {
            return new { refused = e.Message };
        }
        """);

    private static DownstreamServer s_downstream = null!;
    private static TestHost s_host = null!;
    private static int s_controlPlaneHits;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        s_downstream = await DownstreamServer.StartAsync();
        s_host = await TestHost.StartAsync(
            needle: n => n.AddDownstream("backend", s_downstream.Address).AddDownstream("api", new Uri(s_downstream.Address, "api/v1/")),
            map: app => app.Use((http, next) =>
            {
                if (http.Request.Path.StartsWithSegments("/needle", StringComparison.OrdinalIgnoreCase))
                {
                    Interlocked.Increment(ref s_controlPlaneHits);
                }

                return next(http);
            }));
        var services = new[] { "backend", "api" };
        await s_host.DeployAsync("js-probe", JavaScriptProbe, new { methods = new[] { "POST" }, services });
        await s_host.DeployAsync("cs-probe", CSharpProbe, new { runtime = "csharp", methods = new[] { "POST" }, services });
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        await s_host.DisposeAsync();
        await s_downstream.DisposeAsync();
    }

    private static string ControlPlane => $"127.0.0.1:{s_host.Address.Port}/needle/api/functions";

    [TestMethod]
    [DataRow("js-probe", DisplayName = "JavaScript")]
    [DataRow("cs-probe", DisplayName = "C#")]
    public async Task Fetch_AbsoluteUrlInThePath_NeverReachesTheControlPlane(string probe)
    {
        var url = $"http://backend/http://{ControlPlane}";

        var (result, hits) = await ProbeCountingControlPlaneAsync(probe, new { url });

        Assert.AreEqual($"fetch: '{url}' leaves service 'backend': its path holds an empty segment ('//').", result["refused"]?.GetValue<string>(), result.ToJsonString());
        Assert.AreEqual(0, hits, "the fetch reached the control plane");
    }

    [TestMethod]
    [DataRow("js-probe", DisplayName = "JavaScript")]
    [DataRow("cs-probe", DisplayName = "C#")]
    public async Task Fetch_PostOfADeployThroughThePath_DeploysNothing(string probe)
    {
        var deploy = new JsonObject { ["source"] = "export default () => 'pwned';" }.ToJsonString();
        var url = $"http://backend/http://127.0.0.1:{s_host.Address.Port}/needle/api/functions/pwned/versions";

        var (result, hits) = await ProbeCountingControlPlaneAsync(probe, new { url, method = "POST", headers = new Dictionary<string, string> { ["content-type"] = "application/json" }, body = deploy });
        using var pwned = await s_host.Client.GetAsync("/needle/api/functions/pwned");

        StringAssert.Contains(result["refused"]?.GetValue<string>() ?? result.ToJsonString(), "leaves service 'backend'");
        Assert.AreEqual(0, hits, "the fetch reached the control plane");
        Assert.AreEqual(HttpStatusCode.NotFound, pwned.StatusCode);
    }

    [TestMethod]
    [DataRow("js-probe", DisplayName = "JavaScript")]
    [DataRow("cs-probe", DisplayName = "C#")]
    public async Task Fetch_RedirectToTheControlPlane_IsRefusedAndNotFollowed(string probe)
    {
        foreach (var status in new[] { 302, 307 })
        {
            var url = $"http://backend/redirect?to=http://{ControlPlane}&status={status}";

            var (result, hits) = await ProbeCountingControlPlaneAsync(probe, new { url, method = "POST", body = "{}" });

            StringAssert.Contains(result["refused"]?.GetValue<string>() ?? result.ToJsonString(), $"redirected to 'http://{ControlPlane}', which leaves service 'backend'");
            Assert.AreEqual(0, hits, $"a {status} redirect reached the control plane");
        }
    }

    [TestMethod]
    [DataRow("http://backend/http://{cp}", "leaves service 'backend'", DisplayName = "absolute URL in the path")]
    [DataRow("http://backend//{cp}", "leaves service 'backend'", DisplayName = "scheme-relative path")]
    [DataRow("http://backend/http:%2f%2f{cp}", "encoded '/'", DisplayName = "encoded slashes")]
    [DataRow("http://api/../users/1", "leaves service 'api': its path holds a dot segment", DisplayName = "dot segment above the base path")]
    [DataRow("http://api/echo/../../../users/1", "dot segment", DisplayName = "dot segments deeper")]
    [DataRow("http://api/./echo", "dot segment", DisplayName = "single dot segment")]
    [DataRow("http://api/%2e%2e/users/1", "encoded '.'", DisplayName = "encoded dots")]
    [DataRow("http://api/%2E%2E/users/1", "encoded '.'", DisplayName = "encoded dots, upper case")]
    [DataRow("http://api/.%2e/users/1", "encoded '.'", DisplayName = "half-encoded dots")]
    [DataRow("http://api/x%2F..%2F..%2Fusers", "encoded '/'", DisplayName = "encoded slash with dots")]
    [DataRow("http://api/x%5c..%5cusers", "encoded '\\'", DisplayName = "encoded backslash")]
    [DataRow("http://api/%252e%252e/users/1", "encoded '%'", DisplayName = "double-encoded dots")]
    [DataRow("http://api/%25%32%65%25%32%65/users", "encoded '%'", DisplayName = "double-encoded, spelled out")]
    [DataRow("http://api/x%00", "encoded control character", DisplayName = "encoded NUL")]
    [DataRow("http://api/x%0d%0aHost:%20evil", "encoded control character", DisplayName = "encoded CRLF")]
    [DataRow("http://api/x%zz", "not followed by two hex digits", DisplayName = "broken escape")]
    [DataRow("http://api/x%2", "not followed by two hex digits", DisplayName = "truncated escape")]
    [DataRow("http://api/echo?q=%0a", "encoded control character", DisplayName = "encoded LF in the query")]
    [DataRow("http://backend\\..\\users", "backslash", DisplayName = "backslash in the authority")]
    [DataRow("http://backend/a\\..\\..\\needle", "backslash", DisplayName = "backslash in the path")]
    [DataRow("http://backend@{cp}", "user info", DisplayName = "service as user info")]
    [DataRow("http://user:secret@backend/users/1", "user info", DisplayName = "user info before the service")]
    [DataRow("http://backend%2f@127.0.0.1/", "user info", DisplayName = "encoded slash in user info")]
    [DataRow("http://backend:1/users/1", "port or an address", DisplayName = "port on the service")]
    [DataRow("http://{cp}", "port or an address", DisplayName = "loopback address")]
    [DataRow("http://[::1]/", "port or an address", DisplayName = "IPv6 literal")]
    [DataRow("http://169.254.169.254/latest/meta-data", "not a downstream service registered", DisplayName = "metadata address")]
    [DataRow("http://backend./users/1", "not a downstream service registered", DisplayName = "trailing dot")]
    [DataRow("http:///users/1", "names no service", DisplayName = "empty host")]
    [DataRow("//backend/users/1", "not an absolute http(s) URL", DisplayName = "scheme-relative URL")]
    [DataRow("/users/1", "not an absolute http(s) URL", DisplayName = "relative URL")]
    [DataRow("http:/backend/users/1", "not an absolute http(s) URL", DisplayName = "one slash")]
    [DataRow("ftp://backend/users/1", "not an absolute http(s) URL", DisplayName = "ftp")]
    [DataRow("file:///etc/passwd", "not an absolute http(s) URL", DisplayName = "file")]
    [DataRow("ws://backend/users/1", "not an absolute http(s) URL", DisplayName = "websocket")]
    [DataRow("javascript:alert(1)", "not an absolute http(s) URL", DisplayName = "javascript")]
    [DataRow("http://backend/users/1 HTTP/1.1\r\nHost: evil", "space, control or non-ASCII character at position 23", DisplayName = "raw CRLF and space")]
    [DataRow("http://backend/users/1\t", "space, control or non-ASCII", DisplayName = "tab")]
    [DataRow("http://backend/caf\u00e9", "space, control or non-ASCII", DisplayName = "non-ASCII")]
    [DataRow("http://backend/\uff0e\uff0e/users", "space, control or non-ASCII", DisplayName = "full-width dots")]
    public async Task Fetch_UrlThatLeavesItsService_IsRefusedInBothRuntimes(string url, string expected)
    {
        url = url.Replace("{cp}", ControlPlane, StringComparison.Ordinal);

        foreach (var probe in new[] { "js-probe", "cs-probe" })
        {
            var (result, hits) = await ProbeCountingControlPlaneAsync(probe, new { url });

            StringAssert.Contains(result["refused"]?.GetValue<string>() ?? result.ToJsonString(), expected, probe);
            Assert.AreEqual(0, hits, $"{probe} reached the control plane");
        }
    }

    [TestMethod]
    [DataRow("http://api/echo/a", "/api/v1/echo/a", DisplayName = "a path under the base path")]
    [DataRow("HTTP://API/echo/a?q=1#fragment", "/api/v1/echo/a?q=1", DisplayName = "case and fragment")]
    [DataRow("http://api/echo/a..b/.c/%20", "/api/v1/echo/a..b/.c/%20", DisplayName = "dots inside segments, other escapes")]
    [DataRow("http://api/echo?next=http://x/../%2F", "/api/v1/echo?next=http://x/../%2F", DisplayName = "anything in the query")]
    [DataRow("http://api/echo/", "/api/v1/echo/", DisplayName = "trailing slash")]
    [DataRow("http://api/redirect?to=/api/v1/echo/moved", "/api/v1/echo/moved", DisplayName = "redirect under the base path")]
    public async Task Fetch_UrlUnderItsService_ReachesTheServiceUnderItsBasePath(string url, string target)
    {
        foreach (var probe in new[] { "js-probe", "cs-probe" })
        {
            var result = await ProbeAsync(probe, new { url });

            Assert.AreEqual(200, result["reached"]?.GetValue<int>(), $"{probe}: {result.ToJsonString()}");
            Assert.AreEqual(target, JsonNode.Parse(result["body"]!.GetValue<string>())!["target"]!.GetValue<string>(), probe);
        }
    }

    [TestMethod]
    [DataRow("http://api/redirect?to=/users/1", "leaves service 'api'", DisplayName = "above the base path")]
    [DataRow("http://backend/redirect?to=https://127.0.0.1/", "leaves service 'backend'", DisplayName = "other scheme")]
    [DataRow("http://backend/redirect?to=http://user@127.0.0.1/users/1", "leaves service 'backend'", DisplayName = "user info")]
    [DataRow("http://backend/redirect?to=http://localhost/users/1", "leaves service 'backend'", DisplayName = "other host name")]
    [DataRow("http://backend/loop", "redirected more than 5 times", DisplayName = "redirect loop")]
    public async Task Fetch_RedirectThatLeavesItsService_IsRefusedInBothRuntimes(string url, string expected)
    {
        foreach (var probe in new[] { "js-probe", "cs-probe" })
        {
            var result = await ProbeAsync(probe, new { url });

            StringAssert.Contains(result["refused"]?.GetValue<string>() ?? result.ToJsonString(), expected, probe);
        }
    }

    [TestMethod]
    public async Task Fetch_RedirectWithinItsService_IsFollowed()
    {
        foreach (var probe in new[] { "js-probe", "cs-probe" })
        {
            var result = await ProbeAsync(probe, new { url = "http://backend/redirect?to=/users/7" });

            Assert.AreEqual(200, result["reached"]?.GetValue<int>(), result.ToJsonString());
            StringAssert.Contains(result["body"]!.GetValue<string>(), "User 7", probe);
        }
    }

    [TestMethod]
    [DataRow("Host", "169.254.169.254", "header 'Host' may not be set", DisplayName = "Host")]
    [DataRow("host", "backend", "header 'host' may not be set", DisplayName = "host, lower case")]
    [DataRow("Connection", "close", "may not be set", DisplayName = "Connection")]
    [DataRow("Keep-Alive", "timeout=5", "may not be set", DisplayName = "Keep-Alive")]
    [DataRow("Proxy-Authorization", "Basic eA==", "may not be set", DisplayName = "Proxy-Authorization")]
    [DataRow("Proxy-Connection", "keep-alive", "may not be set", DisplayName = "Proxy-Connection")]
    [DataRow("TE", "trailers", "may not be set", DisplayName = "TE")]
    [DataRow("Trailer", "x", "may not be set", DisplayName = "Trailer")]
    [DataRow("Transfer-Encoding", "chunked", "may not be set", DisplayName = "Transfer-Encoding")]
    [DataRow("Upgrade", "h2c", "may not be set", DisplayName = "Upgrade")]
    [DataRow("Content-Length", "5", "may not be set", DisplayName = "Content-Length")]
    [DataRow("Expect", "100-continue", "may not be set", DisplayName = "Expect")]
    [DataRow("X-Note", "a\r\nHost: evil", "holds a CR at position 2", DisplayName = "CRLF in a value")]
    [DataRow("X-Note", "a\nb", "holds an LF", DisplayName = "LF in a value")]
    [DataRow("X-Note", "a\u0000b", "holds a NUL", DisplayName = "NUL in a value")]
    [DataRow("X-Note", "a\u0007b", "holds a control character", DisplayName = "BEL in a value")]
    [DataRow("X-Note", "caf\u00e9", "holds a non-ASCII character", DisplayName = "non-ASCII value")]
    [DataRow("X-Note\r\nHost", "evil", "is not a valid HTTP token", DisplayName = "CRLF in a name")]
    [DataRow("X Note", "x", "is not a valid HTTP token", DisplayName = "space in a name")]
    [DataRow("X:Note", "x", "is not a valid HTTP token", DisplayName = "colon in a name")]
    [DataRow(":authority", "evil", "is not a valid HTTP token", DisplayName = "pseudo-header")]
    [DataRow("", "x", "is not a valid HTTP token", DisplayName = "empty name")]
    [DataRow("X-\u00c4", "x", "is not a valid HTTP token", DisplayName = "non-ASCII name")]
    [DataRow("Content-Type", "not a type", "is not a valid media type", DisplayName = "bad content type")]
    public async Task Fetch_HeaderAFunctionMayNotSend_IsRefusedInBothRuntimes(string name, string value, string expected)
    {
        foreach (var probe in new[] { "js-probe", "cs-probe" })
        {
            var result = await ProbeAsync(probe, new { url = "http://backend/headers", method = "POST", body = "x", headers = new Dictionary<string, string> { [name] = value } });

            StringAssert.Contains(result["refused"]?.GetValue<string>() ?? result.ToJsonString(), expected, probe);
        }
    }

    [TestMethod]
    [DataRow("CONNECT", DisplayName = "CONNECT")]
    [DataRow("TRACE", DisplayName = "TRACE")]
    [DataRow("GET /x HTTP/1.1\r\nHost: evil\r\n\r\nGET", DisplayName = "request line injection")]
    public async Task Fetch_MethodAFunctionMayNotUse_IsRefusedInBothRuntimes(string method)
    {
        foreach (var probe in new[] { "js-probe", "cs-probe" })
        {
            var result = await ProbeAsync(probe, new { url = "http://backend/headers", method });

            StringAssert.Contains(result["refused"]?.GetValue<string>() ?? result.ToJsonString(), "is not allowed; use one of GET", probe);
        }
    }

    [TestMethod]
    public async Task Fetch_OrdinaryHeaders_AreSent()
    {
        foreach (var probe in new[] { "js-probe", "cs-probe" })
        {
            var result = await ProbeAsync(probe, new { url = "http://backend/headers", headers = new Dictionary<string, string> { ["X-Trace"] = "abc\tdef", ["Authorization"] = "Bearer t" } });

            Assert.AreEqual(200, result["reached"]?.GetValue<int>(), result.ToJsonString());
            var received = JsonNode.Parse(result["body"]!.GetValue<string>())!;
            Assert.AreEqual("abc\tdef", received["x-trace"]!.GetValue<string>(), probe);
            Assert.AreEqual("Bearer t", received["authorization"]!.GetValue<string>(), probe);
            Assert.AreEqual(s_downstream.Address.Authority, received["host"]!.GetValue<string>(), probe);
        }
    }

    private static async Task<JsonNode> ProbeAsync(string probe, object input)
    {
        using var response = await s_host.Client.PostAsJsonAsync($"/fn/{probe}", input);
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
        return JsonNode.Parse(text)!;
    }

    private static async Task<(JsonNode Result, int ControlPlaneHits)> ProbeCountingControlPlaneAsync(string probe, object input)
    {
        var before = Volatile.Read(ref s_controlPlaneHits);
        var result = await ProbeAsync(probe, input);
        return (result, Volatile.Read(ref s_controlPlaneHits) - before);
    }
}
