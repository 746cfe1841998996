using Needle.Telemetry;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.CSharp;

/// <summary>A C# version's cold start: its first call (the JIT), with the load as the init duration.</summary>
[TestClass]
public sealed class CSharpColdStartTests
{
    private static readonly object GetOnly = new { runtime = "csharp", methods = new[] { "GET" } };

    [TestMethod]
    [DoNotParallelize]
    public async Task Invoke_FirstCallOfANewVersion_RecordsOneColdStartAndLaterCallsNone()
    {
        await using var host = await TestHost.StartAsync();
        using var recorder = new MeasurementRecorder(host.Services);

        await host.DeployAsync("cold", CSharpTestHost.Handler("return \"one\";"), GetOnly);
        var afterDeploy = recorder.Of(NeedleMetricNames.ColdStarts).Count + recorder.Of(NeedleMetricNames.InitDuration).Count;
        for (var i = 0; i < 3; i++)
        {
            Assert.AreEqual(200, (await host.GetAsync("/fn/cold")).Status);
        }

        await host.DeployAsync("cold", CSharpTestHost.Handler("return \"two\";"), GetOnly);
        for (var i = 0; i < 3; i++)
        {
            Assert.AreEqual("two", (await host.GetAsync("/fn/cold")).Body);
        }

        var coldStarts = recorder.Of(NeedleMetricNames.ColdStarts);
        var inits = recorder.Of(NeedleMetricNames.InitDuration);
        Assert.AreEqual(0, afterDeploy, "loading a version is not a cold start");
        Assert.AreEqual("cold/1:1, cold/2:1", string.Join(", ", coldStarts.Select(m => $"{m[NeedleMetricNames.FunctionTag]}/{m[NeedleMetricNames.VersionTag]}:{m.Value}")));
        Assert.AreEqual("cold/1, cold/2", string.Join(", ", inits.Select(m => $"{m[NeedleMetricNames.FunctionTag]}/{m[NeedleMetricNames.VersionTag]}")));
        Assert.IsTrue(inits.All(m => m.Value is > 0 and < 10), string.Join(", ", inits.Select(m => m.Value)));
    }
}
