using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Needle.Benchmarks.Cluster;

/// <summary>
/// Changes one function through the API of the nodes in turn (deploy on one, roll back on the next) and waits, on
/// every node at once, for the version the change put in place.
/// </summary>
internal sealed class ConvergenceProbe : IDisposable
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(30);
    private readonly ClusterSettings _settings;
    private readonly HttpClient[] _apis;
    private readonly HttpClient[] _pollers;
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private int _step;

    public ConvergenceProbe(ClusterSettings settings)
    {
        _settings = settings;

        // One API client and one poller per node, so a poll never waits behind a change for a pooled connection.
        _apis = settings.Nodes.Select(n => new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = n }).ToArray();
        _pollers = settings.Nodes.Select(n => new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = n }).ToArray();
    }

    public string Route => "fn/" + _settings.Function;

    /// <summary>Warm-up deploys (not counted), then <see cref="ClusterSettings.Count"/> rounds of a deploy and a rollback.</summary>
    public async Task<(List<ConvergenceSample> Deploys, List<ConvergenceSample> Rollbacks)> RunAsync()
    {
        await WarmUpAsync();
        var (deploys, rollbacks) = (new List<ConvergenceSample>(), new List<ConvergenceSample>());
        for (var i = 0; i < _settings.Count; i++)
        {
            deploys.Add(await DeployAsync());
            rollbacks.Add(await RollbackAsync());
        }

        return (deploys, rollbacks);
    }

    public async Task WarmUpAsync()
    {
        for (var i = 0; i < Math.Max(2, _settings.Warmup); i++)
        {
            await DeployAsync();
        }
    }

    /// <summary>Deploys a new version through the next node's API and waits until every node serves it.</summary>
    public async Task<ConvergenceSample> DeployAsync()
    {
        var step = _step++;
        var body = new
        {
            // Each source differs, so every call is a real deploy, never "unchanged".
            source = $"export default async () => ({{ run: \"{_run}\", step: {step} }});\n",
            manifest = new { route = "/" + _settings.Function, methods = new[] { "GET" } },
            reason = $"convergence run {_run}, step {step}",
        };
        return await ChangeAsync(step, api => api.PostAsJsonAsync($"needle/api/functions/{_settings.Function}/versions", body), HttpStatusCode.Created);
    }

    /// <summary>Rolls back to the previous stable version through the next node's API and waits until every node serves it.</summary>
    public async Task<ConvergenceSample> RollbackAsync()
    {
        var step = _step++;
        return await ChangeAsync(step, api => api.PostAsJsonAsync($"needle/api/functions/{_settings.Function}/rollback", new { reason = $"convergence run {_run}, step {step}" }), HttpStatusCode.OK);
    }

    private async Task<ConvergenceSample> ChangeAsync(int step, Func<HttpClient, Task<HttpResponseMessage>> call, HttpStatusCode expectedStatus)
    {
        var node = step % _apis.Length;
        var started = Stopwatch.GetTimestamp();
        using var response = await call(_apis[node]);
        var text = await response.Content.ReadAsStringAsync();
        var returned = Stopwatch.GetTimestamp();
        if (response.StatusCode != expectedStatus)
        {
            throw new InvalidOperationException($"Step {step} on node {node + 1} answered {(int)response.StatusCode}: {text}");
        }

        var expected = $"{_settings.Function}@{ServedVersion(JsonDocument.Parse(text).RootElement)}";
        var waits = await Task.WhenAll(_pollers.Select(p => WaitForAsync(p, expected, returned)));
        return new ConvergenceSample(expected, Stopwatch.GetElapsedTime(started, returned).TotalMilliseconds, waits.Max(), waits);
    }

    // A deploy answers {version: n, ...}; a rollback answers the release it wrote (stableVersion), possibly inside "release".
    private static int ServedVersion(JsonElement answer)
    {
        if (answer.TryGetProperty("release", out var release) && release.ValueKind == JsonValueKind.Object)
        {
            answer = release;
        }

        return answer.TryGetProperty("stableVersion", out var stable) ? stable.GetInt32() : answer.GetProperty("version").GetInt32();
    }

    private async Task<double> WaitForAsync(HttpClient poller, string expected, long returned)
    {
        while (true)
        {
            using var response = await poller.GetAsync(Route, HttpCompletionOption.ResponseHeadersRead);
            if (response.Headers.TryGetValues("Needle-Version", out var served) && served.Contains(expected))
            {
                return Stopwatch.GetElapsedTime(returned).TotalMilliseconds;
            }

            if (Stopwatch.GetElapsedTime(returned) > GiveUpAfter)
            {
                throw new TimeoutException($"{poller.BaseAddress} did not serve {expected} within {GiveUpAfter.TotalSeconds} s of the change returning.");
            }
        }
    }

    public void Dispose()
    {
        foreach (var client in _apis.Concat(_pollers))
        {
            client.Dispose();
        }
    }
}

/// <summary>One change: what it put in place, how long the API call took, and when the last node (and each node) served it.</summary>
internal sealed record ConvergenceSample(string Version, double CallMs, double ConvergedMs, double[] PerNodeMs);
