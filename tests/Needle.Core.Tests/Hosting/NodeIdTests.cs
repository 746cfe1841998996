using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Needle.Hosting;

namespace Needle.Tests.Hosting;

/// <summary>Which id a node records in the store: unique per process by default, settable in configuration and code.</summary>
[TestClass]
public sealed class NodeIdTests
{
    [TestMethod]
    public void NodeId_Default_IsTheMachineNameAndTheProcessId()
    {
        var options = Resolve(configuration: null, configure: null);

        Assert.AreEqual($"{Environment.MachineName}-{Environment.ProcessId}", options.NodeId);
    }

    [TestMethod]
    public void NodeId_InConfiguration_IsUsed()
    {
        var options = Resolve(new Dictionary<string, string?> { ["Needle:NodeId"] = "web-3" }, configure: null);

        Assert.AreEqual("web-3", options.NodeId);
    }

    [TestMethod]
    public void NodeId_InConfigurationAndCode_CodeWins()
    {
        var options = Resolve(new Dictionary<string, string?> { ["Needle:NodeId"] = "web-3" }, o => o.NodeId = "set-in-code");

        Assert.AreEqual("set-in-code", options.NodeId);
    }

    private static NeedleOptions Resolve(Dictionary<string, string?>? configuration, Action<NeedleOptions>? configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration ?? []).Build());
        services.AddLogging();
        services.AddNeedle(configure);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<NeedleOptions>>().Value;
    }
}
