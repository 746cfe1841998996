using System.Collections.Concurrent;

namespace Needle.Testing;

/// <summary>
/// Client loops that GET paths over and over until stopped (load during an outage, a deploy, a kill), counting every
/// answer and keeping the first failures (a status other than 200, or no answer) with when and where they happened.
/// </summary>
public sealed class RequestLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly List<Task> _loops = [];
    private long _requests;
    private long _failed;

    private RequestLoad()
    {
    }

    /// <summary>Answers counted so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Failed requests so far: a status other than 200, a timeout, a refused connection.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The first failures (up to 20), each with its time, target and what went wrong.</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>
    /// Starts <paramref name="loopsPerTarget"/> loops per (client, path) target, each waiting <paramref name="pause"/>
    /// (20 ms unless told) between its requests so a loaded machine keeps up.
    /// </summary>
    public static RequestLoad Start(IEnumerable<(HttpClient Client, string Path)> targets, int loopsPerTarget = 1, TimeSpan? pause = null)
    {
        var load = new RequestLoad();
        foreach (var (client, path) in targets)
        {
            for (var i = 0; i < loopsPerTarget; i++)
            {
                load._loops.Add(Task.Run(() => load.LoopAsync(client, path, pause ?? TimeSpan.FromMilliseconds(20))));
            }
        }

        return load;
    }

    /// <summary>Stops the loops and waits for their last requests.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
    }

    /// <summary>A summary for assertion messages.</summary>
    public override string ToString() =>
        $"{Failed} of {Requests} requests failed" + (_failures.IsEmpty ? "" : ": " + string.Join("; ", _failures));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task LoopAsync(HttpClient client, string path, TimeSpan pause)
    {
        while (!_stop.IsCancellationRequested)
        {
            string? failure;
            try
            {
                using var response = await client.GetAsync(path, _stop.Token);
                failure = (int)response.StatusCode == 200 ? null : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(_stop.Token)}";
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                failure = ex.GetType().Name + ": " + ex.Message;
            }

            Interlocked.Increment(ref _requests);
            if (failure is not null)
            {
                Interlocked.Increment(ref _failed);
                if (_failures.Count < 20)
                {
                    _failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {client.BaseAddress}{path.TrimStart('/')}: {failure}");
                }
            }

            try
            {
                await Task.Delay(pause, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
