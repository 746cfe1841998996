using System.Collections.Concurrent;
using Needle.Telemetry;

namespace Needle.Rollback.Guard;

/// <summary>
/// The default <see cref="ICanaryHealthSource"/>: counts the invocations this node serves, per function and version, in
/// one-second buckets over the last five minutes, with a log-scale latency histogram of warm requests per bucket.
/// </summary>
/// <remarks>
/// It is fed by Core as an <see cref="IInvocationObserver"/>: the function and version are the ones Core invoked, never
/// a response header a function could write, so a canary cannot hide from the guard and made-up versions cannot add
/// series. A series nobody called for five minutes is dropped when a new one starts, so only versions that served
/// recently are kept. Cold starts are counted, and kept out of the latency histogram. Tests feed it with <see cref="Record"/>.
/// </remarks>
public sealed class RequestHealthSource : ICanaryHealthSource, IInvocationObserver
{
    private const int Seconds = 300;
    private const int Bins = 64;

    // Bin i holds durations below 0.5 ms × 1.25^i (the last holds everything above), each within 25 % of its value.
    private static readonly double[] BinUpperMs = [.. Enumerable.Range(0, Bins - 1).Select(i => 0.5 * Math.Pow(1.25, i)), double.PositiveInfinity];

    private readonly ConcurrentDictionary<(string Function, int Version), Series> _series = new();
    private readonly TimeProvider _time;

    /// <summary>Creates the source on the given clock.</summary>
    public RequestHealthSource(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Raised (synchronously, keep it cheap) when a request fails, so the guard can look at once.</summary>
    public event Action<string>? ErrorRecorded;

    /// <summary>How many function versions have figures now (each is one version that served within five minutes).</summary>
    public int SeriesCount => _series.Count;

    /// <inheritdoc />
    void IInvocationObserver.OnInvocation(in InvocationRecord record)
    {
        if (record.Outcome == InvocationOutcome.Aborted)
        {
            return;
        }

        Record(record.Function, record.Version, InvocationOutcomes.IsError(record.Outcome) || record.StatusCode >= 500, record.Duration, record.ColdStart);
    }

    /// <summary>Counts one response.</summary>
    /// <param name="function">The function.</param>
    /// <param name="version">The version that answered.</param>
    /// <param name="failed">Whether it failed (an invocation failure or a 5xx).</param>
    /// <param name="duration">How long it took.</param>
    /// <param name="coldStart">Whether it was a cold start: counted, but kept out of the latency histogram.</param>
    public void Record(string function, int version, bool failed, TimeSpan duration, bool coldStart = false)
    {
        var second = _time.GetUtcNow().ToUnixTimeSeconds();
        if (!_series.TryGetValue((function, version), out var series))
        {
            Evict(second);
            series = _series.GetOrAdd((function, version), static (_, second) => new Series(second), second);
        }

        series.Add(second, failed, duration.TotalMilliseconds, coldStart);
        if (failed)
        {
            ErrorRecorded?.Invoke(function);
        }
    }

    /// <inheritdoc/>
    public HealthSample GetSample(string function, int version, TimeSpan window)
    {
        if (!_series.TryGetValue((function, version), out var series))
        {
            return HealthSample.Empty;
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var span = (int)Math.Clamp(Math.Ceiling(window.TotalSeconds), 1, Seconds);
        return series.Read(now - span + 1, now);
    }

    // Runs only when a series is created (a version's first call after a quiet spell): rare, off the steady path.
    private void Evict(long now)
    {
        foreach (var (key, series) in _series)
        {
            if (series.LastSecond <= now - Seconds)
            {
                _series.TryRemove(key, out _);
            }
        }
    }

    private static int BinOf(double ms)
    {
        var index = Array.BinarySearch(BinUpperMs, ms);
        return Math.Min(index < 0 ? ~index : index + 1, Bins - 1);
    }

    private sealed class Series
    {
        private readonly long[] _second = new long[Seconds];
        private readonly long[] _requests = new long[Seconds];
        private readonly long[] _errors = new long[Seconds];
        private readonly long[] _coldStarts = new long[Seconds];
        private readonly long[,] _histogram = new long[Seconds, Bins];
        private long _lastSecond;

        public Series(long createdAt)
        {
            // Counts as used when created, so it is not evicted before its first call is recorded.
            _lastSecond = createdAt;
        }

        // One short lock per function version: a handful of increments, never contended across functions.
        private readonly Lock _lock = new();

        public long LastSecond => Volatile.Read(ref _lastSecond);

        public void Add(long second, bool failed, double ms, bool coldStart)
        {
            var slot = (int)(second % Seconds);
            var bin = BinOf(ms);
            lock (_lock)
            {
                if (_second[slot] != second)
                {
                    _second[slot] = second;
                    _requests[slot] = 0;
                    _errors[slot] = 0;
                    _coldStarts[slot] = 0;
                    for (var i = 0; i < Bins; i++)
                    {
                        _histogram[slot, i] = 0;
                    }
                }

                _requests[slot]++;
                _errors[slot] += failed ? 1 : 0;
                if (coldStart)
                {
                    _coldStarts[slot]++;
                }
                else
                {
                    _histogram[slot, bin]++;
                }

                if (second > _lastSecond)
                {
                    Volatile.Write(ref _lastSecond, second);
                }
            }
        }

        public HealthSample Read(long from, long to)
        {
            long requests = 0, errors = 0, coldStarts = 0;
            var bins = new long[Bins];
            lock (_lock)
            {
                for (var slot = 0; slot < Seconds; slot++)
                {
                    if (_second[slot] < from || _second[slot] > to)
                    {
                        continue;
                    }

                    requests += _requests[slot];
                    errors += _errors[slot];
                    coldStarts += _coldStarts[slot];
                    for (var i = 0; i < Bins; i++)
                    {
                        bins[i] += _histogram[slot, i];
                    }
                }
            }

            if (requests == 0)
            {
                return HealthSample.Empty;
            }

            var latency = new LatencyHistogram(BinUpperMs, bins);
            return new HealthSample(requests, errors, latency.Quantile(0.99)) { ColdStarts = coldStarts, Latency = latency };
        }
    }
}
