using System.Net;
using System.Text.Json.Nodes;
using Needle.Console.Tests.Infrastructure;

namespace Needle.Console.Tests.Serving;

/// <summary>The console applies the control plane's local-only rule: each request reaches Kestrel from 127.0.0.1.</summary>
[TestClass]
public sealed class ConsoleLocalAccessTests : ClassHostTests<ConsoleLocalAccessTests, ConsoleHost>, IClassHost<ConsoleHost>
{
    public static Task<ConsoleHost> StartClassHostAsync() => ConsoleHost.StartAsync();

    [TestMethod]
    public async Task Console_RebindingPageSameOrigin_IsRefusedByTheHostRule()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/needle/");
        request.Headers.Host = $"rebind.example:{Host.Address.Port}";
        request.Headers.Add("Origin", $"http://rebind.example:{Host.Address.Port}");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");

        using var response = await Host.Client.SendAsync(request);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.AreEqual("host", problem["rule"]!.GetValue<string>());
        StringAssert.Contains(problem["detail"]!.GetValue<string>(), "RequireAuthorization");
    }

    [TestMethod]
    [DataRow("X-Forwarded-For", "127.0.0.1")]
    [DataRow("Forwarded", "for=127.0.0.1")]
    [DataRow("X-Real-IP", "127.0.0.1")]
    [DataRow("X-Forwarded-Host", "localhost")]
    public async Task Console_ThroughALocalProxy_IsRefusedByTheForwardedRule(string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/needle/");
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await Host.Client.SendAsync(request);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.AreEqual("forwarded", problem["rule"]!.GetValue<string>());
    }

    [TestMethod]
    [DataRow("localhost")]
    [DataRow("127.0.0.1")]
    [DataRow("[::1]")]
    public async Task Console_LoopbackHost_IsServed(string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/needle/");
        request.Headers.Host = $"{name}:{Host.Address.Port}";

        using var response = await Host.Client.SendAsync(request);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    public async Task Console_ForwardedHeadersMiddlewareTakingALoopbackClaim_IsStillRefused()
    {
        // UseForwardedHeaders trusts the local proxy and makes RemoteIpAddress 127.0.0.1 from the header; the
        // header it leaves behind (X-Original-For) still says a proxy was in between.
        await using var host = await ConsoleHost.StartAsync(forwardedHeaders: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/needle/");
        request.Headers.Add("X-Forwarded-For", "127.0.0.1");

        using var response = await host.Client.SendAsync(request);

        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
