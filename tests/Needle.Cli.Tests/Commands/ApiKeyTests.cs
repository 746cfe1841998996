using Needle.Cli.Tests.Infrastructure;

namespace Needle.Cli.Tests.Commands;

/// <summary>A caller from another machine: only the API key opens the control plane.</summary>
[TestClass]
public sealed class ApiKeyTests : ClassHostTests<ApiKeyTests, CliHost>, IClassHost<CliHost>
{
    private const string Key = "cli-tests-key-0123456789";

    public static Task<CliHost> StartClassHostAsync() => Task.FromResult(CliHost.Start(apiKey: Key, asRemoteCaller: true));

    [TestMethod]
    public async Task Status_RightApiKey_Succeeds()
    {
        var run = await Host.RunAsync("status", "--api-key", Key);

        Assert.AreEqual(0, run.Exit, run.ToString());
    }

    [TestMethod]
    public async Task Status_ApiKeyFromEnvironment_Succeeds()
    {
        var run = await Host.RunWithAsync(new Dictionary<string, string> { ["NEEDLE_API_KEY"] = Key }, ["status"]);

        Assert.AreEqual(0, run.Exit, run.ToString());
    }

    [TestMethod]
    public async Task Status_WrongApiKey_Exits1SayingWhatToCheck()
    {
        var run = await Host.RunAsync("status", "--api-key", "not-the-key-at-all-0000");

        Assert.AreEqual(1, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "(403)");
        StringAssert.Contains(run.Error, "check --api-key / NEEDLE_API_KEY");
        Assert.AreEqual(1, run.Error.Trim().Split('\n').Length, run.Error);
    }

    [TestMethod]
    public async Task Deploy_NoApiKey_Exits1()
    {
        var run = await Host.RunAsync("deploy", Host.WriteFile("nokey.js", "export default () => 1"));

        Assert.AreEqual(1, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "(403)");
    }
}
