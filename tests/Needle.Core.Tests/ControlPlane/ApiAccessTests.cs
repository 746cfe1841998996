using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Needle.Access;
using Needle.ControlPlane;
using Needle.Hosting;

namespace Needle.Tests.ControlPlane;

[TestClass]
public sealed class ApiAccessTests
{
    [TestMethod]
    public async Task Filter_RemoteCallerWithoutKeyOrPolicy_Gets403()
    {
        var (filter, context) = Arrange(remote: "203.0.113.9", apiKey: null, sentKey: null);

        var result = await filter.InvokeAsync(context, _ => ValueTask.FromResult<object?>("reached"));

        Assert.AreEqual(StatusCodes.Status403Forbidden, (result as IStatusCodeHttpResult)?.StatusCode);
    }

    [TestMethod]
    public async Task Filter_RemoteCallerWithTheApiKey_IsAdmitted()
    {
        var (filter, context) = Arrange(remote: "203.0.113.9", apiKey: "0123456789abcdef-key", sentKey: "0123456789abcdef-key");

        var result = await filter.InvokeAsync(context, _ => ValueTask.FromResult<object?>("reached"));

        Assert.AreEqual("reached", result);
        Assert.AreEqual("api-key", filter.ActorOf(context.HttpContext));
    }

    [TestMethod]
    public async Task Filter_RemoteCallerWithAWrongKey_Gets403()
    {
        var (filter, context) = Arrange(remote: "203.0.113.9", apiKey: "0123456789abcdef-key", sentKey: "0123456789abcdef-kez");

        var result = await filter.InvokeAsync(context, _ => ValueTask.FromResult<object?>("reached"));

        Assert.AreEqual(StatusCodes.Status403Forbidden, (result as IStatusCodeHttpResult)?.StatusCode);
    }

    [TestMethod]
    public async Task Filter_LoopbackCaller_IsAdmitted()
    {
        var (filter, context) = Arrange(remote: "127.0.0.1", apiKey: null, sentKey: null);

        var result = await filter.InvokeAsync(context, _ => ValueTask.FromResult<object?>("reached"));

        Assert.AreEqual("reached", result);
    }

    [TestMethod]
    public async Task Filter_RemoteCallerOnAnEndpointWithHostPolicy_IsLeftToTheHostsAuthorization()
    {
        var (filter, context) = Arrange(remote: "203.0.113.9", apiKey: null, sentKey: null);
        context.HttpContext.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new AuthorizeAttribute("ops")), "api"));

        var result = await filter.InvokeAsync(context, _ => ValueTask.FromResult<object?>("reached"));

        Assert.AreEqual("reached", result);
    }

    [TestMethod]
    [DataRow("POST", "cross-site", null, true, DisplayName = "form POST from another site")]
    [DataRow("DELETE", "same-site", null, true, DisplayName = "DELETE from a sibling site")]
    [DataRow("POST", null, "https://evil.example", true, DisplayName = "Origin of another site")]
    [DataRow("POST", "same-origin", "http://127.0.0.1:5080", false, DisplayName = "the console itself")]
    [DataRow("POST", null, null, false, DisplayName = "curl or a script")]
    [DataRow("GET", "cross-site", "https://evil.example", false, DisplayName = "a read")]
    public void IsCrossSiteWrite_BrowserSignals_AreJudged(string method, string? fetchSite, string? origin, bool refused)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Host = new HostString("127.0.0.1:5080");
        if (fetchSite is not null)
        {
            http.Request.Headers["Sec-Fetch-Site"] = fetchSite;
        }

        if (origin is not null)
        {
            http.Request.Headers.Origin = origin;
        }

        Assert.AreEqual(refused, ApiAccessFilter.IsCrossSiteWrite(http.Request));
    }

    [TestMethod]
    public async Task Api_CrossSiteWrites_AreRefusedAndChangeNothing()
    {
        await using var host = await Needle.Tests.Infrastructure.TestHost.StartAsync();
        await host.DeployAsync("shop", "export default () => 'v1';");
        await host.DeployAsync("shop", "export default () => 'v2';");

        // A page elsewhere cannot send JSON without a preflight, but it can send a form or a fetch without a body.
        using var form = new HttpRequestMessage(HttpMethod.Post, "/needle/api/functions/shop/rollback")
        {
            Content = new FormUrlEncodedContent([]),
            Headers = { { "Origin", "https://evil.example" }, { "Sec-Fetch-Site", "cross-site" } },
        };
        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/needle/api/functions/shop")
        {
            Headers = { { "Origin", "https://evil.example" }, { "Sec-Fetch-Site", "cross-site" } },
        };
        using var formResponse = await host.Client.SendAsync(form);
        using var deleteResponse = await host.Client.SendAsync(delete);
        var served = await host.GetAsync("/fn/shop");

        Assert.IsFalse(formResponse.IsSuccessStatusCode, $"form POST: {formResponse.StatusCode}");
        Assert.AreEqual(HttpStatusCode.Forbidden, deleteResponse.StatusCode);
        Assert.AreEqual("v2", served.Body);
    }

    [TestMethod]
    public void Options_ShortApiKey_FailsValidationAtStart()
    {
        var services = new ServiceCollection();
        services.AddNeedle(o => o.ApiKey = "short");
        using var provider = services.BuildServiceProvider();

        var ex = Assert.ThrowsExactly<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NeedleOptions>>().Value);

        StringAssert.Contains(ex.Message, "ApiKey");
    }

    private static (ApiAccessFilter Filter, EndpointFilterInvocationContext Context) Arrange(string remote, string? apiKey, string? sentKey)
    {
        var options = Options.Create(new NeedleOptions { ApiKey = apiKey });
        var filter = new ApiAccessFilter(options, new LocalRequestRule(options));
        var http = new DefaultHttpContext();
        http.Request.Host = new HostString("127.0.0.1:5080");
        http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        http.Connection.LocalIpAddress = IPAddress.Parse("192.0.2.1");
        http.RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        http.Response.Body = new MemoryStream();
        if (sentKey is not null)
        {
            http.Request.Headers["X-Needle-Api-Key"] = sentKey;
        }

        return (filter, new DefaultEndpointFilterInvocationContext(http));
    }
}
