using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Access;

/// <summary>
/// The local-only rule (connection, Host, forwarding headers) as the control-plane API and pin headers apply it,
/// through a real Kestrel: each request below reaches the host from 127.0.0.1, as a rebinding page or a local proxy does.
/// </summary>
[TestClass]
public sealed class LocalAccessTests
{
    private const string ApiKey = "0123456789abcdef-test-key";

    [TestMethod]
    public async Task Api_RebindingPageReadingTheFunctions_IsRefusedByTheHostRule()
    {
        await using var host = await TestHost.StartAsync();
        using var request = Rebinding(HttpMethod.Get, "/needle/api/functions", host.Address.Port);

        using var response = await host.Client.SendAsync(request);
        var problem = await ProblemAsync(response);

        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.AreEqual("host", problem["rule"]!.GetValue<string>());
        var detail = problem["detail"]!.GetValue<string>();
        StringAssert.Contains(detail, "rebind.example");
        StringAssert.Contains(detail, "RequireAuthorization");
        StringAssert.Contains(detail, "X-Needle-Api-Key");
    }

    [TestMethod]
    public async Task Api_RebindingPageDeployingSameOrigin_IsRefusedAndNothingIsDeployed()
    {
        await using var host = await TestHost.StartAsync();
        using var request = Rebinding(HttpMethod.Post, "/needle/api/functions/evil/versions", host.Address.Port);
        request.Content = JsonContent.Create(new { source = "export default () => 'pwned';" });

        using var response = await host.Client.SendAsync(request);
        var problem = await ProblemAsync(response);
        var served = await host.GetAsync("/fn/evil");

        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.AreEqual("host", problem["rule"]!.GetValue<string>());
        Assert.AreEqual(404, served.Status);
    }

    [TestMethod]
    [DataRow("X-Forwarded-For", "127.0.0.1")]
    [DataRow("X-Forwarded-For", "203.0.113.7")]
    [DataRow("Forwarded", "for=203.0.113.7")]
    [DataRow("X-Real-IP", "203.0.113.7")]
    [DataRow("X-Forwarded-Host", "needle.example.com")]
    [DataRow("X-Forwarded-Proto", "https")]
    [DataRow("Via", "1.1 nginx")]
    public async Task Api_RequestThroughALocalProxy_IsRefusedByTheForwardedRule(string header, string value)
    {
        await using var host = await TestHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/needle/api/functions");
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await host.Client.SendAsync(request);
        var problem = await ProblemAsync(response);

        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.AreEqual("forwarded", problem["rule"]!.GetValue<string>());
        StringAssert.Contains(problem["detail"]!.GetValue<string>(), header);
    }

    [TestMethod]
    [DataRow("localhost")]
    [DataRow("127.0.0.1")]
    [DataRow("[::1]")]
    [DataRow("LOCALHOST")]
    [DataRow("needle.internal")]
    public async Task Api_LoopbackHostNames_WithOrWithoutPort_AreLocal(string name)
    {
        await using var host = await TestHost.StartAsync(o => o.LocalAccess.LoopbackHostNames.Add("needle.internal"));
        using var bare = new HttpRequestMessage(HttpMethod.Get, "/needle/api/functions");
        bare.Headers.Host = name;
        using var withPort = new HttpRequestMessage(HttpMethod.Get, "/needle/api/functions");
        withPort.Headers.Host = $"{name}:{host.Address.Port}";

        using var bareResponse = await host.Client.SendAsync(bare);
        using var portResponse = await host.Client.SendAsync(withPort);

        Assert.AreEqual(HttpStatusCode.OK, bareResponse.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, portResponse.StatusCode);
    }

    [TestMethod]
    public async Task Api_RebindingHostWithTheApiKey_IsAdmitted()
    {
        await using var host = await TestHost.StartAsync(o => o.ApiKey = ApiKey);
        using var request = Rebinding(HttpMethod.Get, "/needle/api/functions", host.Address.Port);
        request.Headers.Add("X-Needle-Api-Key", ApiKey);

        using var response = await host.Client.SendAsync(request);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    public async Task Api_OverAUnixSocketWithoutTheOption_IsRefusedByTheConnectionRule()
    {
        var socket = SocketPath();
        await using var host = await TestHost.StartAsync(host: b => b.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.ListenUnixSocket(socket);
        }));
        using var client = UnixClient(socket);

        using var response = await client.GetAsync("/needle/api/functions");
        var problem = await ProblemAsync(response);

        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.AreEqual("connection", problem["rule"]!.GetValue<string>());
        StringAssert.Contains(problem["detail"]!.GetValue<string>(), "NullRemoteAddressIsLocal");
    }

    [TestMethod]
    public async Task Api_OverAUnixSocketWithTheOption_IsLocal()
    {
        var socket = SocketPath();
        await using var host = await TestHost.StartAsync(
            o => o.LocalAccess.NullRemoteAddressIsLocal = true,
            host: b => b.WebHost.ConfigureKestrel(k =>
            {
                k.Listen(IPAddress.Loopback, 0);
                k.ListenUnixSocket(socket);
            }));
        using var client = UnixClient(socket);

        using var response = await client.GetAsync("/needle/api/functions");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    public async Task PinHeader_FromALocalCaller_IsHonoured()
    {
        await using var host = await PinnableAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fn/shop") { Headers = { { "Needle-Pin", "1" } } };

        using var response = await host.Client.SendAsync(request);

        Assert.AreEqual("v1", await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    [DataRow("Host", "rebind.example", DisplayName = "rebinding Host")]
    [DataRow("X-Forwarded-For", "127.0.0.1", DisplayName = "through a local proxy")]
    [DataRow("X-Real-IP", "203.0.113.7", DisplayName = "X-Real-IP")]
    public async Task PinHeader_FromACallerTheRuleRefuses_IsIgnored(string header, string value)
    {
        await using var host = await PinnableAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fn/shop") { Headers = { { "Needle-Pin", "1" } } };
        request.Headers.Remove(header);
        request.Headers.TryAddWithoutValidation(header, header == "Host" ? $"{value}:{host.Address.Port}" : value);

        using var response = await host.Client.SendAsync(request);

        Assert.AreEqual("v2", await response.Content.ReadAsStringAsync());
        Assert.AreEqual("stable", response.Headers.GetValues("Needle-Release").Single());
    }

    private static async Task<TestHost> PinnableAsync()
    {
        var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", "export default () => 'v1';");
        await host.DeployAsync("shop", "export default () => 'v2';");
        return host;
    }

    /// <summary>What a browser sends from a page on a name that resolves to 127.0.0.1: its own name, same-origin.</summary>
    private static HttpRequestMessage Rebinding(HttpMethod method, string path, int port)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Host = $"rebind.example:{port}";
        request.Headers.Add("Origin", $"http://rebind.example:{port}");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        return request;
    }

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response)
    {
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static string SocketPath() => Path.Combine(Path.GetTempPath(), $"needle-{Guid.NewGuid():n}.sock");

    private static HttpClient UnixClient(string socket) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await unix.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken);
            return new NetworkStream(unix, ownsSocket: true);
        },
    })
    {
        BaseAddress = new Uri("http://localhost"),
        Timeout = TimeSpan.FromSeconds(30),
    };
}
