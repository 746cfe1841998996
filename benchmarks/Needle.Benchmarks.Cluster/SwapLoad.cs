using System.Diagnostics;

namespace Needle.Benchmarks.Cluster;

/// <summary>
/// Clients call the function on every node without pause while it swaps versions (a deploy and a rollback in turn,
/// each waited for on every node); every answer that is not a 200, and every request that throws, is a failure.
/// </summary>
internal sealed class SwapLoad(ClusterSettings settings, ConvergenceProbe probe)
{
    public async Task<LoadResult> RunAsync()
    {
        await probe.WarmUpAsync();
        using var stop = new CancellationTokenSource();
        var clients = settings.Nodes
            .SelectMany(node => Enumerable.Range(0, settings.Clients).Select(_ => CallAsync(node, stop.Token)))
            .ToList();

        var started = Stopwatch.GetTimestamp();
        var swaps = new List<ConvergenceSample>();
        for (var i = 0; i < settings.Swaps; i++)
        {
            swaps.Add(i % 2 == 0 ? await probe.DeployAsync() : await probe.RollbackAsync());
        }

        await stop.CancelAsync();
        var counts = await Task.WhenAll(clients);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new LoadResult(
            counts.Sum(c => c.Requests),
            counts.Sum(c => c.Failed),
            seconds,
            swaps,
            counts.SelectMany(c => c.Errors).Distinct().Take(10).ToList());
    }

    private async Task<(long Requests, long Failed, List<string> Errors)> CallAsync(Uri node, CancellationToken stop)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) };
        var (requests, failed, errors) = (0L, 0L, new List<string>());
        while (!stop.IsCancellationRequested)
        {
            requests++;
            try
            {
                // Not cancelled by the stop: a request in flight when the run ends still counts, whatever it answers.
                using var response = await client.GetAsync(probe.Route, CancellationToken.None);
                if (!response.IsSuccessStatusCode)
                {
                    failed++;
                    errors.Add($"{node} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                }
            }
            catch (HttpRequestException ex)
            {
                failed++;
                errors.Add($"{node}: {ex.Message}");
            }
        }

        return (requests, failed, errors);
    }
}

/// <summary>What the load run saw: requests, failures, how long, the swaps made meanwhile, and the first distinct errors.</summary>
internal sealed record LoadResult(long Requests, long Failed, double Seconds, List<ConvergenceSample> Swaps, List<string> Errors);
