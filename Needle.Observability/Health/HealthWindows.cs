using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Needle.Observability.Hosting;
using Needle.Telemetry;

namespace Needle.Observability.Health;

/// <summary>
/// Collects every invocation into per-version rings (<see cref="VersionWindow"/>). On the request path: one
/// dictionary lookup, a clock read and a few interlocked adds. <see cref="NeedleHealth"/> reads the windows.
/// </summary>
/// <remarks>
/// It depends on nothing of Needle's serving side: the request handler depends on it (as an observer), so it must
/// not depend back on what builds the handler.
/// </remarks>
internal sealed class HealthWindows : IInvocationObserver
{
    private readonly ConcurrentDictionary<(string Function, int Version), VersionWindow> _versions = new();
    private readonly TimeProvider _time;
    private readonly long _origin;

    public HealthWindows(TimeProvider time, IOptions<NeedleObservabilityOptions> options)
    {
        _time = time;
        Windows = [.. options.Value.HealthWindows.Order()];
        RingSeconds = (int)Windows[^1].TotalSeconds;
        _origin = time.GetTimestamp();
        OriginUtc = time.GetUtcNow();
    }

    /// <summary>The wall-clock time of second 0: second <c>s</c> of the rings covers <c>OriginUtc + s</c> to <c>OriginUtc + s + 1</c>.</summary>
    public DateTimeOffset OriginUtc { get; }

    /// <summary>The windows, shortest first.</summary>
    public TimeSpan[] Windows { get; }

    /// <summary>The widest window in seconds: how long a version's figures are kept.</summary>
    public int RingSeconds { get; }

    public TimeProvider Time => _time;

    /// <summary>Seconds since this aggregator started, on the injected clock.</summary>
    public long NowSecond => (long)_time.GetElapsedTime(_origin).TotalSeconds;

    public ICollection<(string Function, int Version)> Keys => _versions.Keys;

    public void OnInvocation(in InvocationRecord record)
    {
        if (record.Outcome == InvocationOutcome.Aborted)
        {
            return;
        }

        var now = NowSecond;
        var window = _versions.GetOrAdd(
            (record.Function, record.Version),
            static (key, state) => new VersionWindow(key.Function, key.Version, state.Ring, state.Now),
            (Ring: RingSeconds, Now: now));
        window.Record(now, record, _time);
    }

    public ICollection<VersionWindow> All => _versions.Values;

    public VersionWindow? Find(string function, int version) => _versions.GetValueOrDefault((function, version));

    public IEnumerable<VersionWindow> OfFunction(string function) =>
        _versions.Where(v => v.Key.Function == function).Select(v => v.Value);

    /// <summary>Drops versions nobody called within the widest window and <paramref name="keep"/> does not name.</summary>
    public void Evict(long now, Func<string, int, bool> keep)
    {
        foreach (var (key, window) in _versions)
        {
            if (window.LastSecond <= now - RingSeconds && !keep(key.Function, key.Version))
            {
                _versions.TryRemove(key, out _);
            }
        }
    }
}
