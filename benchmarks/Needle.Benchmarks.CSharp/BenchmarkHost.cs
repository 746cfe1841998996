using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Needle.Runtime.CSharp;

namespace Needle.Benchmarks.CSharp;

/// <summary>One host: native endpoints, Needle with its SQLite store in a temporary folder, the C# functions deployed.</summary>
internal sealed class BenchmarkHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private BenchmarkHost(WebApplication app, string directory, Uri address)
    {
        _app = app;
        _directory = directory;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    /// <summary>Fires when the host is asked to stop (SIGTERM, Ctrl+C).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    public HttpClient Client { get; }

    public CSharpRuntimeStatistics Statistics => _app.Services.GetRequiredService<CSharpRuntime>().Statistics;

    public static async Task<BenchmarkHost> StartAsync(int port)
    {
        var directory = Path.Combine(Path.GetTempPath(), "needle-bench-cs", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddNeedle(o => o.UseSqlite($"Data Source={Path.Combine(directory, "needle.db")}"));
        var app = builder.Build();
        app.MapNative();
        app.MapNeedle();
        app.MapNeedleApi();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return new BenchmarkHost(app, directory, address);
    }

    /// <summary>Deploys a C# function and returns its version number.</summary>
    public async Task<int> DeployAsync(string name, string source, string route, int configVersion = 0)
    {
        using var response = await Client.PostAsJsonAsync($"/needle/api/functions/{name}/versions", new
        {
            source,
            manifest = new { runtime = "csharp", route, methods = new[] { "GET" }, limits = new { maxConcurrency = 1024 }, config = new { configVersion } },
        });
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Deploy of {name} failed: {text}");
        }

        return System.Text.Json.Nodes.JsonNode.Parse(text)!["version"]!.GetValue<int>();
    }

    public static string Function(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions", file));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
