using System.Diagnostics;
using Needle.Observability.Tests.Infrastructure;

namespace Needle.Observability.Tests.Prometheus;

/// <summary>
/// docs/prometheus/needle-alerts.yml under Prometheus's own tool: the rules parse, and each one fires (or stays quiet)
/// as its unit tests in needle-alerts.test.yml say.
/// </summary>
[TestClass]
public sealed class AlertRulesTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Prometheus");

    [TestMethod]
    public async Task AlertRules_PromtoolCheck_Succeeds()
    {
        var output = await PromtoolAsync("check rules needle-alerts.yml");

        StringAssert.Contains(output, "SUCCESS: 6 rules found");
    }

    [TestMethod]
    public async Task AlertRules_PromtoolUnitTests_Pass()
    {
        var output = await PromtoolAsync("test rules needle-alerts.test.yml");

        StringAssert.Contains(output, "SUCCESS");
    }

    private static async Task<string> PromtoolAsync(string arguments)
    {
        var promtool = ExternalTool.Require("promtool", "check Needle's alert rules");
        using var process = Process.Start(new ProcessStartInfo(promtool, arguments)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout + await stderr;
        Assert.AreEqual(0, process.ExitCode, $"promtool {arguments}:\n{output}");
        return output;
    }
}
