using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Needle.Observability.Health;
using Needle.Observability.Hosting;
using Needle.Releases;
using Needle.Serving;
using Needle.Telemetry;

namespace Needle.Observability.Tests.Health;

/// <summary>The health windows against a known sequence of calls, on a fake clock.</summary>
[TestClass]
public sealed class HealthWindowsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly ServingStateStub _serving = new();

    private Aggregator Create() => new(new HealthWindows(_time, Options.Create(new NeedleObservabilityOptions())), _serving);

    private static InvocationRecord Call(int ms, InvocationOutcome outcome = InvocationOutcome.Success, int version = 1, ReleaseRole role = ReleaseRole.Stable) =>
        new("hello", version, role, outcome, TimeSpan.FromMilliseconds(ms), outcome == InvocationOutcome.Success ? null : $"failed after {ms} ms");

    private static void Record(Aggregator windows, InvocationRecord record, int times)
    {
        for (var i = 0; i < times; i++)
        {
            windows.OnInvocation(in record);
        }
    }

    [TestMethod]
    public void GetVersion_KnownSequence_ReportsRateErrorRatioPercentilesAndLastError()
    {
        var windows = Create();
        Record(windows, Call(10), 90);
        _time.Advance(TimeSpan.FromSeconds(2));
        Record(windows, Call(200, InvocationOutcome.Error), 8);
        Record(windows, Call(400, InvocationOutcome.Timeout), 2);

        var health = windows.GetVersion("hello", 1)!;

        var tenSeconds = health.Windows[0];
        Assert.AreEqual("10s", tenSeconds.Window);
        Assert.AreEqual(100, tenSeconds.Requests);
        Assert.AreEqual(10, tenSeconds.Errors);
        Assert.AreEqual(10.0, tenSeconds.Rate, 1e-9);
        Assert.AreEqual(0.1, tenSeconds.ErrorRatio, 1e-9);
        Assert.AreEqual(10, tenSeconds.P50Ms!.Value, 10 * 0.25);
        Assert.AreEqual(200, tenSeconds.P95Ms!.Value, 200 * 0.25);
        Assert.AreEqual(400, tenSeconds.P99Ms!.Value, 400 * 0.25);
        Assert.AreEqual("failed after 400 ms", health.LastError!.Message);
        Assert.AreEqual("timeout", health.LastError.Outcome);
        Assert.AreEqual(_time.GetUtcNow(), health.LastError.At);
    }

    [TestMethod]
    public void GetVersion_TimePasses_CallsLeaveEachWindowWhenItSlidesPast()
    {
        var windows = Create();
        Record(windows, Call(10), 30);
        _time.Advance(TimeSpan.FromSeconds(30));
        Record(windows, Call(10, InvocationOutcome.Error), 6);

        var at30 = windows.GetVersion("hello", 1)!.Windows;
        Assert.AreEqual(6, at30[0].Requests, "10s holds only the last calls");
        Assert.AreEqual(1.0, at30[0].ErrorRatio, 1e-9);
        Assert.AreEqual(36, at30[1].Requests, "1m holds both");
        Assert.AreEqual(36 / 60.0, at30[1].Rate, 1e-9);
        Assert.AreEqual(6 / 36.0, at30[1].ErrorRatio, 1e-9);

        _time.Advance(TimeSpan.FromSeconds(45));
        var at75 = windows.GetVersion("hello", 1)!.Windows;
        Assert.AreEqual(0, at75[0].Requests);
        Assert.IsNull(at75[0].P99Ms);
        Assert.AreEqual(6, at75[1].Requests, "the first calls left the minute");
        Assert.AreEqual(36, at75[2].Requests, "5m holds both");

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.IsNull(windows.GetVersion("hello", 1), "a version nothing serves is dropped after the widest window");
    }

    [TestMethod]
    public void GetFunction_StableAndCanary_AddsVersionsUpAndKeepsEachApart()
    {
        _serving.Functions = [new ServedFunction("hello", 1, 2, 10, [1, 2])];
        var windows = Create();
        Record(windows, Call(10, version: 1), 90);
        Record(windows, Call(50, InvocationOutcome.Error, version: 2, role: ReleaseRole.Canary), 10);

        var function = windows.GetFunction("hello")!;

        Assert.AreEqual(100, function.Windows[0].Requests);
        Assert.AreEqual(0.1, function.Windows[0].ErrorRatio, 1e-9);
        Assert.AreEqual(2, function.CanaryVersion);
        var canary = function.Versions.Single(v => v.Version == 2);
        var stable = function.Versions.Single(v => v.Version == 1);
        Assert.AreEqual("canary", canary.Role);
        Assert.AreEqual(1.0, canary.Windows[0].ErrorRatio, 1e-9);
        Assert.AreEqual("stable", stable.Role);
        Assert.AreEqual(0.0, stable.Windows[0].ErrorRatio, 1e-9);
        Assert.AreEqual(canary.LastError, function.LastError);
    }

    [TestMethod]
    public void GetSummary_ServedFunctionWithoutTraffic_IsListedWithEmptyWindows()
    {
        _serving.Functions = [new ServedFunction("quiet", 3, null, 0, [3])];
        var windows = Create();

        var summary = windows.GetSummary();

        CollectionAssert.AreEqual(new[] { "10s", "1m", "5m" }, summary.Windows.ToArray());
        var quiet = summary.Functions.Single();
        Assert.AreEqual("quiet", quiet.Function);
        Assert.AreEqual(0, quiet.Windows[2].Requests);
        Assert.AreEqual("stable", quiet.Versions.Single().Role);
    }

    [TestMethod]
    public void OnInvocation_ColdStart_IsCountedButLeftOutOfThePercentilesAndTheRawSample()
    {
        var windows = Create();
        Record(windows, Call(10), 99);
        Record(windows, Call(800) with { ColdStart = true }, 1);

        var stats = windows.GetVersion("hello", 1)!.Windows[0];
        var sample = windows.GetSample("hello", 1, TimeSpan.FromMinutes(1))!;

        Assert.AreEqual((100L, 1L), (stats.Requests, stats.ColdStarts));
        Assert.IsTrue(stats.P99Ms < 20, $"p99 {stats.P99Ms} ms must not be the 800 ms cold start");
        Assert.AreEqual((100L, 1L, 99L), (sample.Requests, sample.ColdStarts, sample.WarmLatencyCounts.Sum()));
    }

    [TestMethod]
    public void OnInvocation_AbortedCall_IsNotCounted()
    {
        var windows = Create();
        Record(windows, Call(5, InvocationOutcome.Aborted), 3);

        Assert.IsNull(windows.GetVersion("hello", 1));
    }

    /// <summary>The windows as the host wires them: the observer that records and the reader over it.</summary>
    private sealed class Aggregator(HealthWindows windows, INeedleServingState serving) : INeedleHealth
    {
        private readonly NeedleHealth _health = new(windows, serving);

        public IReadOnlyList<TimeSpan> Windows => _health.Windows;

        public void OnInvocation(in InvocationRecord record) => windows.OnInvocation(in record);

        public HealthSummary GetSummary() => _health.GetSummary();

        public FunctionHealth? GetFunction(string function) => _health.GetFunction(function);

        public VersionHealth? GetVersion(string function, int version) => _health.GetVersion(function, version);

        public VersionSample? GetSample(string function, int version, TimeSpan window) => _health.GetSample(function, version, window);
    }
}
