using System.Collections.Concurrent;
using System.Diagnostics;

namespace Needle.Benchmarks.Soak;

/// <summary>
/// Mixed traffic: workers that call the well-behaved functions round-robin from the start, and workers that call the
/// abusive ones from <see cref="StartAbuse"/> on. Counts every answer by function and status, and keeps the probe's
/// latencies apart for the quiet phase and the soak.
/// </summary>
internal sealed class SoakTraffic(HttpClient client, IReadOnlyList<SoakFunction> functions, int workers)
{
    private readonly ConcurrentDictionary<(string Name, int Status), long> _answers = new();
    private readonly ConcurrentQueue<double> _quietProbe = new();
    private readonly ConcurrentQueue<double> _soakProbe = new();
    private readonly List<Task> _running = [];
    private long _requests;
    private long _wellBehavedFailed;
    private volatile bool _abusing;

    public long Requests => Interlocked.Read(ref _requests);

    public long WellBehavedFailed => Interlocked.Read(ref _wellBehavedFailed);

    public IReadOnlyDictionary<(string Name, int Status), long> Answers => _answers;

    public IReadOnlyCollection<double> QuietProbe => _quietProbe;

    public IReadOnlyCollection<double> SoakProbe => _soakProbe;

    public void StartWellBehaved(CancellationToken stop)
    {
        var wellBehaved = functions.Where(f => f.WellBehaved).ToList();
        for (var i = 0; i < workers; i++)
        {
            _running.Add(RunAsync(wellBehaved, i, stop));
        }
    }

    public void StartAbuse(CancellationToken stop)
    {
        _abusing = true;
        var abusive = functions.Where(f => !f.WellBehaved).ToList();
        for (var i = 0; i < workers; i++)
        {
            _running.Add(RunAsync(abusive, i * 3, stop));
        }
    }

    public Task StopAsync() => Task.WhenAll(_running);

    private async Task RunAsync(IReadOnlyList<SoakFunction> targets, int offset, CancellationToken stop)
    {
        for (var i = offset; !stop.IsCancellationRequested; i++)
        {
            var function = targets[i % targets.Count];
            var started = Stopwatch.GetTimestamp();
            var status = 0;
            try
            {
                using var response = await client.GetAsync(function.Path, stop).ConfigureAwait(false);
                await response.Content.ReadAsByteArrayAsync(stop).ConfigureAwait(false);
                status = (int)response.StatusCode;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Status 0: no answer (refused connection, client timeout).
            }

            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Interlocked.Increment(ref _requests);
            _answers.AddOrUpdate((function.Name, status), 1, static (_, n) => n + 1);
            if (function.WellBehaved && status != 200)
            {
                Interlocked.Increment(ref _wellBehavedFailed);
            }

            if (function.Name == SoakFunctions.Probe)
            {
                (_abusing ? _soakProbe : _quietProbe).Enqueue(elapsed);
            }
        }
    }
}
