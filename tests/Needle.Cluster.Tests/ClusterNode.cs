using System.Globalization;
using Needle.Client;

namespace Needle.Cluster.Tests;

/// <summary>
/// One node of a test cluster: the sample host in a process of its own on a fixed loopback port (so a restarted node
/// keeps its address), on the cluster's PostgreSQL database, with its own node id and the cluster's watched folder.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private const string WarmUpKey = "Needle:CSharp:WarmUp";

    private readonly string _workingDirectory;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private HostProcess? _process;

    private ClusterNode(string id, int port, string workingDirectory, IReadOnlyDictionary<string, string> settings)
    {
        Id = id;
        Address = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        _workingDirectory = workingDirectory;
        _settings = settings;
        Client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        Api = new NeedleApiClient(new HttpClient { BaseAddress = new Uri(Address, NeedleHttp.ApiPath + "/"), Timeout = TimeSpan.FromSeconds(60) }, ownsHttp: true);
    }

    /// <summary>The node id (<c>Needle:NodeId</c>).</summary>
    public string Id { get; }

    /// <summary>Where it listens; the same after a restart.</summary>
    public Uri Address { get; }

    /// <summary>A client for the node's own endpoints and functions.</summary>
    public HttpClient Client { get; }

    /// <summary>The typed control-plane client for this node.</summary>
    public NeedleApiClient Api { get; }

    /// <summary>The running process (a failure when the node is stopped).</summary>
    public HostProcess Process => _process ?? throw new InvalidOperationException($"Node {Id} is not running.");

    /// <summary>Whether the node's process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Whether the node warms up its C# compiler at start: only when a test asks for it with <c>Needle:CSharp:WarmUp</c>
    /// true. No node of these tests deploys C#, and Roslyn's warm-up at every start (about 48 a run) only took CPU from
    /// the others.
    /// </summary>
    public bool WarmsUp => _settings.TryGetValue(WarmUpKey, out var value) && bool.TryParse(value, out var on) && on;

    /// <summary>What the node's process wrote, for failure messages (empty when stopped).</summary>
    public string OutputTail => _process?.OutputTail ?? string.Empty;

    /// <summary>
    /// Starts a node. <paramref name="settings"/> are configuration keys and values passed on the command line
    /// (<c>--Key value</c>), on top of the store, node id, address and watched folder.
    /// </summary>
    public static async Task<ClusterNode> StartAsync(string id, string workingDirectory, IReadOnlyDictionary<string, string> settings)
    {
        Directory.CreateDirectory(workingDirectory);
        var node = new ClusterNode(id, FreePort.Next(), workingDirectory, settings);
        await node.RestartAsync();
        return node;
    }

    /// <summary>Starts the node's process again (after <see cref="KillAsync"/> or <see cref="StopAsync"/>) on the same port and id.</summary>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"Node {Id} is running.");
        }

        var arguments = new List<string> { "--urls", Address.ToString().TrimEnd('/'), "--Needle:NodeId", Id };

        // See WarmsUp: off unless a test sets it.
        if (!_settings.ContainsKey(WarmUpKey))
        {
            arguments.AddRange(["--" + WarmUpKey, "false"]);
        }

        foreach (var (key, value) in _settings)
        {
            arguments.Add("--" + key);
            arguments.Add(value);
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _process = null;
        _process = await HostProcess.StartAsync(Path.Combine(AppContext.BaseDirectory, "Needle.Sample.dll"), arguments, _workingDirectory);
    }

    /// <summary>kill -9: the process ends at once, mid-whatever it was doing.</summary>
    public Task KillAsync() => _process?.KillAsync() ?? Task.CompletedTask;

    /// <summary>A graceful stop (SIGTERM).</summary>
    public Task StopAsync() => _process?.StopAsync() ?? Task.CompletedTask;

    /// <summary>GETs a path on this node: status, body and the version that served it (<c>Needle-Version</c>).</summary>
    public Task<(int Status, string Body, string? Version)> GetAsync(string path) => Client.GetResultAsync(path);

    /// <summary>The version that serves <paramref name="path"/> on this node now, or null when it answers without one.</summary>
    public async Task<string?> ServedVersionAsync(string path, string? user = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (user is not null)
        {
            request.Headers.Add("Needle-User", user);
        }

        using var response = await Client.SendAsync(request);
        return response.Headers.TryGetValues("Needle-Version", out var values) ? values.First() : null;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Api.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
