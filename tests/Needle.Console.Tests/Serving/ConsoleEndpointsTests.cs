using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Needle.Console.Tests.Infrastructure;

namespace Needle.Console.Tests.Serving;

[TestClass]
public sealed class ConsoleEndpointsTests : ClassHostTests<ConsoleEndpointsTests, ConsoleHost>, IClassHost<ConsoleHost>
{
    public static Task<ConsoleHost> StartClassHostAsync() => ConsoleHost.StartAsync(forwardedHeaders: true);

    [TestMethod]
    public async Task Index_Local_ServesTheAppWithCspAndNoCache()
    {
        using var response = await Host.Client.GetAsync("/needle");
        var html = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.IsTrue(response.Headers.CacheControl!.NoCache);
        StringAssert.Contains(response.Headers.GetValues("Content-Security-Policy").Single(), "script-src 'self'");
        StringAssert.Contains(html, "<base href=\"/needle/\" />");
        StringAssert.Contains(html, "<meta name=\"needle-api\" content=\"/needle/api\" />");
        Assert.DoesNotContain("<script>", html);
    }

    [TestMethod]
    public async Task Asset_Hashed_IsImmutableTypedAndGzipped()
    {
        var html = await Host.Client.GetStringAsync("/needle/");
        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"\\./(assets/[^\"]+\\.js)\"").Groups[1].Value;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/needle/" + script);
        request.Headers.AcceptEncoding.ParseAdd("gzip");

        using var response = await Host.Client.SendAsync(request);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("text/javascript", response.Content.Headers.ContentType!.MediaType);
        Assert.IsTrue(response.Headers.CacheControl!.Public);
        StringAssert.Contains(response.Headers.CacheControl.ToString(), "immutable");
        Assert.AreEqual("gzip", response.Content.Headers.ContentEncoding.Single());
    }

    [TestMethod]
    public async Task DeepLink_WithoutExtension_FallsBackToIndex()
    {
        var html = await Host.Client.GetStringAsync("/needle/fn/hello");

        StringAssert.Contains(html, "<base href=\"/needle/\" />");
    }

    [TestMethod]
    [DataRow("/needle/assets/missing-123.js")]
    [DataRow("/needle/api/no-such-endpoint")]
    public async Task UnknownFileOrApiPath_IsNotFound(string path)
    {
        using var response = await Host.Client.GetAsync(path);

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
    }

    [TestMethod]
    [DataRow("/needle")]
    [DataRow("/needle/fn/hello")]
    [DataRow("/needle/api/functions")]
    public async Task RemoteCaller_WithoutHostPolicy_IsRefused(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        using var response = await Host.Client.SendAsync(request);

        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [TestMethod]
    public async Task RemoteCaller_WithHostPolicy_IsAdmitted()
    {
        await using var host = await ConsoleHost.StartAsync(
            configure: b => b.Services.AddAuthorization(o => o.AddPolicy("ops", p => p.RequireAssertion(_ => true))),
            map: (_, _, console) => console.RequireAuthorization("ops"),
            forwardedHeaders: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/needle");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        using var response = await host.Client.SendAsync(request);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    public void MapNeedleConsole_WithoutAddConsole_ThrowsNamingIt()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddNeedle();
        var app = builder.Build();

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => app.MapNeedleConsole());

        StringAssert.Contains(error.Message, "AddConsole");
    }

    [TestMethod]
    [DataRow("needle/api")]
    [DataRow("/needle/api/")]
    [DataRow("")]
    public void Options_InvalidApiPrefix_AreRefused(string prefix)
    {
        var services = new ServiceCollection();
        services.AddNeedle().AddConsole(o => o.ApiPrefix = prefix);
        using var provider = services.BuildServiceProvider();

        Assert.ThrowsExactly<OptionsValidationException>(() => provider.GetRequiredService<IOptions<Hosting.NeedleConsoleOptions>>().Value);
    }
}
