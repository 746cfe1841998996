using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Needle.Benchmarks.DeployLatency;

/// <summary>Deploys versions of one function through the control-plane API and polls its route after each.</summary>
internal sealed class DeployProbe : IDisposable
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(10);

    private readonly DeployLatencySettings _settings;
    private readonly HttpClient _api;
    private readonly HttpClient _poller;
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    public DeployProbe(DeployLatencySettings settings)
    {
        _settings = settings;

        // Two clients, so a poll never waits behind a deploy for a pooled connection.
        _api = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = settings.HostUrl };
        _poller = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = settings.HostUrl };
    }

    public async Task<IReadOnlyList<DeploySample>> RunAsync()
    {
        // Warm-up deploys create the function and its route and warm both sides' JIT; they are not counted.
        for (var i = 0; i < _settings.Warmup; i++)
        {
            await DeployAndWaitAsync(-1 - i);
        }

        var samples = new List<DeploySample>(_settings.Count);
        for (var i = 0; i < _settings.Count; i++)
        {
            samples.Add(await DeployAndWaitAsync(i));
        }

        using var deleted = await _api.DeleteAsync($"needle/api/functions/{_settings.Function}?reason=deploy-latency+run+done");
        return samples;
    }

    private async Task<DeploySample> DeployAndWaitAsync(int step)
    {
        var body = new
        {
            // Each source differs, so every call is a real deploy, never "unchanged".
            source = $"export default async (req, ctx) => ({{ run: \"{_run}\", step: {step} }});\n",
            manifest = new { route = "/" + _settings.Function, methods = new[] { "GET" } },
            reason = $"deploy-latency run {_run}, step {step}",
        };

        var started = Stopwatch.GetTimestamp();
        using var deploy = await _api.PostAsJsonAsync($"needle/api/functions/{_settings.Function}/versions", body);
        var text = await deploy.Content.ReadAsStringAsync();
        var returned = Stopwatch.GetTimestamp();
        if (deploy.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Deploy {step} answered {(int)deploy.StatusCode}: {text}");
        }

        var version = JsonDocument.Parse(text).RootElement.GetProperty("version").GetInt32();
        var expected = $"{_settings.Function}@{version}";
        var polls = 0;
        while (true)
        {
            polls++;
            using var response = await _poller.GetAsync("fn/" + _settings.Function, HttpCompletionOption.ResponseHeadersRead);
            if (response.Headers.TryGetValues("Needle-Version", out var served) && served.Contains(expected))
            {
                var now = Stopwatch.GetTimestamp();
                return new DeploySample(
                    version,
                    Stopwatch.GetElapsedTime(started, returned).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(returned, now).TotalMilliseconds,
                    polls);
            }

            if (Stopwatch.GetElapsedTime(returned) > GiveUpAfter)
            {
                throw new TimeoutException($"Version {expected} did not serve within {GiveUpAfter.TotalSeconds} s of its deploy returning.");
            }
        }
    }

    public void Dispose()
    {
        _api.Dispose();
        _poller.Dispose();
    }
}
