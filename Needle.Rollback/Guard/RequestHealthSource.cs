using System.Collections.Concurrent;

namespace Needle.Rollback.Guard;

/// <summary>
/// The default <see cref="ICanaryHealthSource"/>: counts the function responses this node answers, per function and
/// version, in one-second buckets over the last five minutes, with a log-scale latency histogram per bucket for p99.
/// Fed by a middleware that reads the version header the function endpoint writes; tests feed it with <see cref="Record"/>.
/// </summary>
public sealed class RequestHealthSource : ICanaryHealthSource
{
    private const int Seconds = 300;
    private const int Bins = 64;

    // Bin i holds durations below 0.5 ms × 1.25^i: 64 bins reach about 80 s, each within 25 % of its value.
    private static readonly double[] BinUpperMs = Enumerable.Range(0, Bins).Select(i => 0.5 * Math.Pow(1.25, i)).ToArray();

    private readonly ConcurrentDictionary<(string Function, int Version), Series> _series = new();
    private readonly TimeProvider _time;

    /// <summary>Creates the source on the given clock.</summary>
    public RequestHealthSource(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Raised (synchronously, keep it cheap) when a request fails, so the guard can look at once.</summary>
    public event Action<string>? ErrorRecorded;

    /// <summary>Counts one response.</summary>
    /// <param name="function">The function.</param>
    /// <param name="version">The version that answered.</param>
    /// <param name="failed">Whether it failed (5xx).</param>
    /// <param name="duration">How long it took.</param>
    public void Record(string function, int version, bool failed, TimeSpan duration)
    {
        var second = _time.GetUtcNow().ToUnixTimeSeconds();
        _series.GetOrAdd((function, version), _ => new Series()).Add(second, failed, duration.TotalMilliseconds);
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

    private static int BinOf(double ms)
    {
        var index = Array.BinarySearch(BinUpperMs, ms);
        return Math.Min(index < 0 ? ~index : index, Bins - 1);
    }

    private sealed class Series
    {
        private readonly long[] _second = new long[Seconds];
        private readonly long[] _requests = new long[Seconds];
        private readonly long[] _errors = new long[Seconds];
        private readonly long[,] _histogram = new long[Seconds, Bins];

        // One short lock per function version: a handful of increments, never contended across functions.
        private readonly Lock _lock = new();

        public void Add(long second, bool failed, double ms)
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
                    for (var i = 0; i < Bins; i++)
                    {
                        _histogram[slot, i] = 0;
                    }
                }

                _requests[slot]++;
                _errors[slot] += failed ? 1 : 0;
                _histogram[slot, bin]++;
            }
        }

        public HealthSample Read(long from, long to)
        {
            long requests = 0, errors = 0;
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

            var rank = (long)Math.Ceiling(requests * 0.99);
            long seen = 0;
            var p99 = BinUpperMs[^1];
            for (var i = 0; i < Bins; i++)
            {
                seen += bins[i];
                if (seen >= rank)
                {
                    p99 = BinUpperMs[i];
                    break;
                }
            }

            return new HealthSample(requests, errors, p99);
        }
    }
}
