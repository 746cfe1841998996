using System.Collections.Concurrent;
using System.Diagnostics;

namespace Needle.Benchmarks.Drill;

/// <summary>A fixed number of loops, each sending GET requests back to back with its own sticky user, recording every result.</summary>
internal sealed class SteadyLoad(HttpClient client, string path, int concurrency, Stopwatch clock)
{
    private readonly ConcurrentQueue<LoadResult> _results = new();

    public IReadOnlyCollection<LoadResult> Results => _results;

    public async Task RunAsync(CancellationToken stop)
    {
        var loops = Enumerable.Range(0, concurrency).Select(loop => Task.Run(() => LoopAsync(loop, stop), CancellationToken.None));
        await Task.WhenAll(loops);
    }

    private async Task LoopAsync(int loop, CancellationToken stop)
    {
        var user = 0;
        while (!stop.IsCancellationRequested)
        {
            // A new user per request spreads the load over stable and canary as the weight says.
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Needle-User", $"u{loop}-{user++}");
            var started = clock.Elapsed;
            try
            {
                using var response = await client.SendAsync(request, CancellationToken.None);
                var version = response.Headers.TryGetValues("Needle-Version", out var values) ? values.First() : null;
                _results.Enqueue(new LoadResult(clock.Elapsed, (int)response.StatusCode, version, clock.Elapsed - started));
            }
            catch (HttpRequestException)
            {
                _results.Enqueue(new LoadResult(clock.Elapsed, 0, null, clock.Elapsed - started));
            }
        }
    }
}
