using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace Needle.Benchmarks.DeployLatency;

/// <summary>
/// Rollback on one node: with versions A (previous, warm) and B (stable) of one function, calls the rollback API and
/// measures from the call's start to the first request that A serves; then puts B back (forced, since the rollback
/// marked it bad) for the next round.
/// </summary>
internal sealed class RollbackProbe : IDisposable
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(10);

    private readonly DeployLatencySettings _settings;
    private readonly HttpClient _api;
    private readonly HttpClient _poller;
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    public RollbackProbe(DeployLatencySettings settings)
    {
        _settings = settings;
        _api = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = settings.HostUrl };
        _poller = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = settings.HostUrl };
    }

    public async Task<IReadOnlyList<DeploySample>> RunAsync()
    {
        var a = await DeployAsync("A");
        var b = await DeployAsync("B");
        var samples = new List<DeploySample>(_settings.Count);
        for (var i = -_settings.Warmup; i < _settings.Count; i++)
        {
            var sample = await RollbackAndWaitAsync(a);
            if (i >= 0)
            {
                samples.Add(sample);
            }

            using var restore = await _api.PutAsJsonAsync($"needle/api/functions/{_settings.Function}/release", new { stableVersion = b, force = true, reason = "rollback drill: restore" });
            await EnsureAsync(restore);
        }

        using var deleted = await _api.DeleteAsync($"needle/api/functions/{_settings.Function}?reason=rollback-latency+run+done");
        return samples;
    }

    private async Task<int> DeployAsync(string tag)
    {
        using var response = await _api.PostAsJsonAsync($"needle/api/functions/{_settings.Function}/versions", new
        {
            source = $"export default async () => ({{ run: \"{_run}\", version: \"{tag}\" }});\n",
            manifest = new { route = "/" + _settings.Function, methods = new[] { "GET" } },
        });
        await EnsureAsync(response);
        var json = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return json.GetProperty("version").GetInt32();
    }

    private async Task<DeploySample> RollbackAndWaitAsync(int target)
    {
        var expected = $"{_settings.Function}@{target}";
        var started = Stopwatch.GetTimestamp();
        using var rollback = await _api.PostAsJsonAsync($"needle/api/functions/{_settings.Function}/rollback", new { reason = "rollback drill" });
        var returned = Stopwatch.GetTimestamp();
        await EnsureAsync(rollback);
        var polls = 0;
        while (true)
        {
            polls++;
            using var response = await _poller.GetAsync("fn/" + _settings.Function, HttpCompletionOption.ResponseHeadersRead);
            if (response.Headers.TryGetValues("Needle-Version", out var served) && served.Contains(expected))
            {
                return new DeploySample(
                    target,
                    Stopwatch.GetElapsedTime(started, returned).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    polls);
            }

            if (Stopwatch.GetElapsedTime(returned) > GiveUpAfter)
            {
                throw new TimeoutException($"Version {expected} did not serve within {GiveUpAfter.TotalSeconds} s of the rollback.");
            }
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Created))
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public void Dispose()
    {
        _api.Dispose();
        _poller.Dispose();
    }
}
