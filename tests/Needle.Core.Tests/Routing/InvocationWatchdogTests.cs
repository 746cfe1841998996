using Microsoft.Extensions.DependencyInjection;
using Needle.Routing;
using Needle.Tests.Infrastructure;
using Needle.Tests.Runtime.CSharp;

namespace Needle.Tests.Routing;

/// <summary>The watchdog belongs to its host: one per container, started with the host, stopped when it is disposed.</summary>
[TestClass]
public sealed class InvocationWatchdogTests
{
    private static readonly object Spinner = new { runtime = "csharp", methods = new[] { "GET" }, limits = new { timeoutMs = 200 } };

    [TestMethod]
    public async Task Watchdog_TwoHostsInOneProcess_EachOwnsOneStartedWithItAndStoppedWithIt()
    {
        // Arrange
        var first = await TestHost.StartAsync();
        await using var second = await TestHost.StartAsync();
        var firstWatchdog = first.Services.GetRequiredService<InvocationWatchdog>();
        var secondWatchdog = second.Services.GetRequiredService<InvocationWatchdog>();
        var startedWithTheHost = (firstWatchdog.IsRunning, secondWatchdog.IsRunning);

        // Act
        await first.DisposeAsync();

        // Assert
        Assert.AreNotSame(firstWatchdog, secondWatchdog);
        Assert.AreEqual((true, true), startedWithTheHost, "a watchdog did not start with its host");
        Assert.IsFalse(firstWatchdog.IsRunning, "the disposed host's watchdog still runs");
        Assert.IsTrue(secondWatchdog.IsRunning, "disposing one host stopped the other's watchdog");
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Watchdog_AnotherHostDisposed_StillAnswersAStuckFunctionAtItsLimit()
    {
        // Arrange
        var first = await TestHost.StartAsync();
        await using var second = await TestHost.StartAsync();
        await second.DeployAsync("spinner", CSharpTestHost.Handler("var sw = System.Diagnostics.Stopwatch.StartNew(); while (sw.ElapsedMilliseconds < 3000) { } return \"late\";"), Spinner);
        await first.DisposeAsync();

        // Act
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var spun = await second.GetAsync("/fn/spinner");
        var answeredAfter = watch.ElapsedMilliseconds;

        // Assert
        Assert.AreEqual(504, spun.Status, spun.Body);
        StringAssert.Contains(spun.Body, "did not finish within 200 ms");
        Assert.IsLessThan(2_500, answeredAfter, $"answered after {answeredAfter} ms, not at the limit");
    }
}
