using System.Collections.Concurrent;
using Needle.Rollback.Guard;

namespace Needle.Rollback.Tests.Infrastructure;

/// <summary>A health source whose samples the test sets per version.</summary>
internal sealed class FixedHealthSource : ICanaryHealthSource
{
    private readonly ConcurrentDictionary<(string, int), HealthSample> _samples = new();

    public HealthSample Default { get; set; } = new(100, 0, 10);

    public void Set(string function, int version, HealthSample sample) => _samples[(function, version)] = sample;

    public HealthSample GetSample(string function, int version, TimeSpan window) =>
        _samples.TryGetValue((function, version), out var sample) ? sample : Default;
}
