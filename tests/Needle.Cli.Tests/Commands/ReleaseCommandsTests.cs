using System.Net;
using System.Text.Json.Nodes;
using Needle.Cli.Tests.Infrastructure;

namespace Needle.Cli.Tests.Commands;

[TestClass]
public sealed class ReleaseCommandsTests : CliHostTests<ReleaseCommandsTests>
{
    [TestMethod]
    public async Task CanaryPromote_MovesTheCanaryToStable()
    {
        await DeployTwoVersionsAsync("moves", canary: true);

        var canary = await Host.RunAsync("canary", "moves", "--weight", "100", "--reason", "all in");
        var promote = await Host.RunAsync("promote", "moves", "--reason", "healthy");

        Assert.AreEqual(0, canary.Exit, canary.ToString());
        StringAssert.Contains(canary.Output, "canary 2 at 100 %");
        Assert.AreEqual(0, promote.Exit, promote.ToString());
        StringAssert.Contains(promote.Output, "moves: promote: stable 2");
        Assert.AreEqual("moves@2", await ServedAsync("moves"));
    }

    [TestMethod]
    public async Task Abort_DropsTheCanary()
    {
        await DeployTwoVersionsAsync("aborted", canary: true);

        var run = await Host.RunAsync("abort", "aborted", "--reason", "not today");

        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Contains(run.Output, "aborted: abort: stable 1 (");
    }

    [TestMethod]
    public async Task Rollback_PutsThePreviousStableBack()
    {
        await DeployTwoVersionsAsync("rolled", canary: false);
        Assert.AreEqual("rolled@2", await ServedAsync("rolled"));

        var run = await Host.RunAsync("rollback", "rolled", "--reason", "errors up");

        Assert.AreEqual(0, run.Exit, run.ToString());
        await EventuallyAsync(async () => await ServedAsync("rolled") == "rolled@1");
    }

    [TestMethod]
    public async Task Rollback_UnknownFunction_Exits1WithTheServersReason()
    {
        var run = await Host.RunAsync("rollback", "no-such-function", "--reason", "x");

        Assert.AreEqual(1, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "no-such-function");
        StringAssert.Contains(run.Error, "(404)");
    }

    [TestMethod]
    public async Task KillUnkill_ServesTheFallbackThenTheFunctionAgain()
    {
        await DeployTwoVersionsAsync("killed", canary: false);

        var kill = await Host.RunAsync("kill", "killed", "--status", "503", "--body", "down for a moment", "--reason", "incident 7");

        Assert.AreEqual(0, kill.Exit, kill.ToString());
        using var http = Host.CreateClient();
        await EventuallyAsync(async () => (await http.GetAsync("/fn/killed")).StatusCode == HttpStatusCode.ServiceUnavailable);
        var unkill = await Host.RunAsync("unkill", "killed", "--reason", "fixed");
        Assert.AreEqual(0, unkill.Exit, unkill.ToString());
        await EventuallyAsync(async () => (await http.GetAsync("/fn/killed")).StatusCode == HttpStatusCode.OK);
    }

    [TestMethod]
    public async Task Patch_Source_TakesTheBaseHashFromTheStableVersion()
    {
        await DeployTwoVersionsAsync("patched", canary: false);
        var source = Host.WriteFile("patched-fix.js", "export default () => ({ v: 'fixed' })");

        var run = await Host.RunAsync("patch", "patched", "--source", source, "--reason", "hotfix");

        Assert.AreEqual(0, run.Exit, run.ToString());
        StringAssert.Contains(run.Output, "patch against patched@2 accepted");
        using var http = Host.CreateClient();
        await EventuallyAsync(async () => (await http.GetStringAsync("/fn/patched")).Contains("fixed", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task Patch_DiffThatDoesNotApply_Exits1WithTheReason()
    {
        await DeployTwoVersionsAsync("patch-miss", canary: false);
        var diff = Host.WriteFile("miss.diff", "--- a\n+++ b\n@@ -1,1 +1,1 @@\n-this line is not there\n+nor this\n");

        var run = await Host.RunAsync("patch", "patch-miss", "--diff", diff, "--reason", "hotfix");

        Assert.AreEqual(1, run.Exit, run.ToString());
        StringAssert.StartsWith(run.Error, "needle: ");
    }

    [TestMethod]
    public async Task Patch_StaleBase_Exits1ExplainingWhichVersionServes()
    {
        await DeployTwoVersionsAsync("patch-stale", canary: false);
        var source = Host.WriteFile("patch-stale-fix.js", "export default () => ({ v: 'fixed' })");

        var run = await Host.RunAsync("patch", "patch-stale", "--base", "1", "--source", source, "--reason", "hotfix");

        Assert.AreEqual(1, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "(409)");
        StringAssert.Contains(run.Error, "but patch-stale@2 is the stable version now");
        using var http = Host.CreateClient();
        StringAssert.Contains(await http.GetStringAsync("/fn/patch-stale"), "2", "nothing changed");
    }

    [TestMethod]
    public async Task Patch_TwoKinds_Exits2()
    {
        var run = await Host.RunAsync("patch", "any", "--source", "a.js", "--diff", "b.diff", "--reason", "x");

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "exactly one of --diff, --source or --config");
    }

    [TestMethod]
    public async Task Patch_NoReason_Exits2()
    {
        var run = await Host.RunAsync("patch", "any", "--source", "a.js");

        Assert.AreEqual(2, run.Exit, run.ToString());
        StringAssert.Contains(run.Error, "--reason");
    }

    private static async Task DeployTwoVersionsAsync(string name, bool canary)
    {
        var file = Host.WriteFile(name + ".js", "export default () => ({ v: 1 })");
        var first = await Host.RunAsync("deploy", file);
        Assert.AreEqual(0, first.Exit, first.ToString());
        File.WriteAllText(file, "export default () => ({ v: 2 })");
        var second = canary ? await Host.RunAsync("deploy", file, "--canary", "10") : await Host.RunAsync("deploy", file);
        Assert.AreEqual(0, second.Exit, second.ToString());
    }

    private static async Task<string> ServedAsync(string name)
    {
        using var http = Host.CreateClient();
        using var response = await http.GetAsync($"/fn/{name}");
        return response.Headers.TryGetValues("Needle-Version", out var values) ? values.Single() : $"{(int)response.StatusCode}";
    }

    internal static Task EventuallyAsync(Func<Task<bool>> condition) =>
        Eventually.WaitAsync(condition, "the condition to hold within 20 s", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
}
