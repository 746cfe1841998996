using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Hosting;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Hosting;

[TestClass]
public sealed class HostIntegrationTests
{
    [TestMethod]
    public void MapNeedle_WithoutAddNeedle_ThrowsNamingAddNeedle()
    {
        var builder = WebApplication.CreateSlimBuilder();
        using var app = builder.Build();

        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => app.MapNeedle());
        var apiEx = Assert.ThrowsExactly<InvalidOperationException>(() => app.MapNeedleApi());

        StringAssert.Contains(ex.Message, "AddNeedle");
        StringAssert.Contains(apiEx.Message, "AddNeedle");
    }

    [TestMethod]
    public async Task Start_InvalidDefaultLimits_FailsValidationNamingTheOption()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddNeedle(o => o.DefaultLimits.TimeoutMs = 0);
        await using var app = builder.Build();

        var ex = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => app.StartAsync());

        StringAssert.Contains(ex.Message, "DefaultLimits.timeoutMs");
    }

    [TestMethod]
    [DataRow("default over its maximum", "DefaultLimits.timeoutMs: 90000 is over this host's maximum of 60000", DisplayName = "a default over its maximum")]
    [DataRow("built-in default over a lowered maximum", "DefaultLimits.memoryMb: 64 is over this host's maximum of 32", DisplayName = "a built-in default over a lowered maximum")]
    [DataRow("maximum out of range", "MaxLimits.maxConcurrency: 0 is out of range", DisplayName = "a maximum out of range")]
    [DataRow("negative ceiling", "JavaScript.MemoryCeilingMb", DisplayName = "a negative memory ceiling")]
    [DataRow("default fetch cap over its maximum", "DefaultLimits.maxFetchesInFlight: 16 is over this host's maximum of 8", DisplayName = "a default fetch cap over its maximum")]
    public async Task Start_InvalidMaxLimits_FailsValidationNamingTheOption(string scenario, string expected)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddNeedle(o =>
        {
            switch (scenario)
            {
                case "default over its maximum":
                    o.DefaultLimits.TimeoutMs = 90_000;
                    break;
                case "built-in default over a lowered maximum":
                    o.MaxLimits.MemoryMb = 32;
                    break;
                case "maximum out of range":
                    o.MaxLimits.MaxConcurrency = 0;
                    break;
                case "default fetch cap over its maximum":
                    o.MaxLimits.MaxFetchesInFlight = 8;
                    o.DefaultLimits.MaxFetchesInFlight = 16;
                    break;
                default:
                    o.JavaScript.MemoryCeilingMb = -1;
                    break;
            }
        });
        await using var app = builder.Build();

        var ex = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => app.StartAsync());

        StringAssert.Contains(ex.Message, expected);
    }

    [TestMethod]
    public void AddNeedle_CalledTwice_RegistersServicesOnce()
    {
        var services = new ServiceCollection();

        services.AddNeedle();
        services.AddNeedle(o => o.NodeId = "second");

        Assert.AreEqual(1, services.Count(s => s.ServiceType == typeof(Needle.Store.INeedleStore)));
        using var provider = services.AddLogging().BuildServiceProvider();
        Assert.AreEqual("second", provider.GetRequiredService<IOptions<NeedleOptions>>().Value.NodeId);
    }

    [TestMethod]
    public async Task Host_KeepsItsOwnEndpointsBesideNeedle()
    {
        await using var host = await TestHost.StartAsync(map: app => app.MapGet("/own", () => "host endpoint"));
        await host.DeployAsync("hello", "export default () => 'function';");

        var own = await host.GetAsync("/own");
        var function = await host.GetAsync("/fn/hello");

        Assert.AreEqual("host endpoint", own.Body);
        Assert.IsNull(own.Version);
        Assert.AreEqual("function", function.Body);
    }

    [TestMethod]
    public async Task Restart_ServesWhatTheStoreSaysWithoutRedeploying()
    {
        using var directory = TemporaryDirectory.Create();
        await using (var first = await TestHost.StartAsync(directory: directory.Path))
        {
            await first.DeployAsync("hello", "export default () => 'v1';");
            await first.DeployAsync("hello", "export default () => 'v2';");
            await first.DeployAsync("other", "export default () => 'other';", new { route = "/other/{id}" });
            using var _ = await first.Client.PostAsync("/needle/api/functions/hello/versions/1/activate", null);
        }

        await using var second = await TestHost.StartAsync(directory: directory.Path);
        var hello = await second.GetAsync("/fn/hello");
        var other = await second.GetAsync("/fn/other/3");

        Assert.AreEqual("v1", hello.Body);
        Assert.AreEqual("hello@1", hello.Version);
        Assert.AreEqual("other", other.Body);
    }
}
