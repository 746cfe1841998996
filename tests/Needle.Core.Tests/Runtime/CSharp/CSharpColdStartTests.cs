using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Needle.Telemetry;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.CSharp;

/// <summary>A C# version's cold start: its first call (the JIT), with the load as the init duration.</summary>
[TestClass]
public sealed class CSharpColdStartTests
{
    private static readonly object GetOnly = new { runtime = "csharp", methods = new[] { "GET" } };

    [TestMethod]
    public async Task Invoke_FirstCallOfANewVersion_RecordsOneColdStartAndLaterCallsNone()
    {
        await using var host = await TestHost.StartAsync();
        using var listener = Listen(host, out var measurements);

        await host.DeployAsync("cold", CSharpTestHost.Handler("return \"one\";"), GetOnly);
        var afterDeploy = measurements.Count;
        for (var i = 0; i < 3; i++)
        {
            Assert.AreEqual(200, (await host.GetAsync("/fn/cold")).Status);
        }

        await host.DeployAsync("cold", CSharpTestHost.Handler("return \"two\";"), GetOnly);
        for (var i = 0; i < 3; i++)
        {
            Assert.AreEqual("two", (await host.GetAsync("/fn/cold")).Body);
        }

        var coldStarts = measurements.Where(m => m.Instrument == NeedleMetricNames.ColdStarts).ToList();
        var inits = measurements.Where(m => m.Instrument == NeedleMetricNames.InitDuration).ToList();
        Assert.AreEqual(0, afterDeploy, "loading a version is not a cold start");
        Assert.AreEqual("cold/1:1, cold/2:1", string.Join(", ", coldStarts.Select(m => $"{m.Function}/{m.Version}:{m.Value}")));
        Assert.AreEqual("cold/1, cold/2", string.Join(", ", inits.Select(m => $"{m.Function}/{m.Version}")));
        Assert.IsTrue(inits.All(m => m.Value is > 0 and < 10), string.Join(", ", inits.Select(m => m.Value)));
    }

    private static MeterListener Listen(TestHost host, out ConcurrentQueue<Measured> measurements)
    {
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var queue = new ConcurrentQueue<Measured>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == NeedleMetricNames.MeterName && ReferenceEquals(instrument.Meter.Scope, factory)
                    && instrument.Name is NeedleMetricNames.ColdStarts or NeedleMetricNames.InitDuration)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => queue.Enqueue(Measured.Of(instrument, value, tags)));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => queue.Enqueue(Measured.Of(instrument, value, tags)));
        listener.Start();
        measurements = queue;
        return listener;
    }

    private sealed record Measured(string Instrument, double Value, string? Function, string? Version)
    {
        public static Measured Of(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? function = null, version = null;
            foreach (var tag in tags)
            {
                function = tag.Key == NeedleMetricNames.FunctionTag ? tag.Value as string : function;
                version = tag.Key == NeedleMetricNames.VersionTag ? tag.Value as string : version;
            }

            return new Measured(instrument.Name, value, function, version);
        }
    }
}
