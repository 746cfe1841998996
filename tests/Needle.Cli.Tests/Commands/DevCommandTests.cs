using System.Net;
using Needle.Cli.Tests.Infrastructure;

namespace Needle.Cli.Tests.Commands;

[TestClass]
public sealed class DevCommandTests
{
    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Dev_Folder_DeploysAtStartAndOnChangeAndPrintsDiagnostics()
    {
        await using var host = CliHost.Start();
        var folder = Directory.CreateDirectory(Path.Combine(host.Directory, "dev")).FullName;
        File.WriteAllText(Path.Combine(folder, "live.js"), "export default () => ({ v: 1 })");
        using var stop = new CancellationTokenSource();
        var output = new SharedWriter();
        var error = new SharedWriter();
        var dev = NeedleCli.RunAsync(["dev", folder, "--url", host.Address.ToString()], CliEnvironment.Plain(output, error), stop.Token);
        using var http = host.CreateClient();

        await ReleaseCommandsTests.EventuallyAsync(async () => (await http.GetAsync("/fn/live")).StatusCode == HttpStatusCode.OK);
        File.WriteAllText(Path.Combine(folder, "live.js"), "export default () => ({ v: 2 }");
        await ReleaseCommandsTests.EventuallyAsync(() => Task.FromResult(error.ToString().Contains("live.js:1:", StringComparison.Ordinal)));
        File.WriteAllText(Path.Combine(folder, "live.js"), "export default () => ({ v: 3 })");
        await ReleaseCommandsTests.EventuallyAsync(async () => (await http.GetStringAsync("/fn/live")).Contains('3'));
        // The host serves live@2 as soon as it is stored, a moment before the deploy's answer reaches the command and
        // it prints the line (stop 25's CI stopped it in that moment): wait for the line, then stop.
        await ReleaseCommandsTests.EventuallyAsync(() => Task.FromResult(output.ToString().Contains("deployed live@2", StringComparison.Ordinal)));
        stop.Cancel();

        Assert.AreEqual(0, await dev, $"{output}\n{error}");
        StringAssert.Contains(output.ToString(), "deployed live@1");
        StringAssert.Contains(output.ToString(), "deployed live@2");
    }

    [TestMethod]
    public async Task Dev_NotAFolder_Exits2()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await NeedleCli.RunAsync(["dev", "/no/such/folder", "--url", "http://127.0.0.1:9"], CliEnvironment.Plain(output, error));

        Assert.AreEqual(2, exit, error.ToString());
        StringAssert.Contains(error.ToString(), "is not a folder");
    }
}
