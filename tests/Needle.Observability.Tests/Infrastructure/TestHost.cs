using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Needle.Hosting;

namespace Needle.Observability.Tests.Infrastructure;

/// <summary>A real host: Kestrel on 127.0.0.1, a real SQLite file, Needle with observability, /metrics and /healthz.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHost(WebApplication app, string directory, Uri address)
    {
        _app = app;
        Directory = directory;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Directory { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestHost> StartAsync(Action<NeedleOptions>? configure = null, Action<INeedleBuilder>? needle = null, bool observability = true)
    {
        var directory = Path.Combine(Path.GetTempPath(), "needle-obs-tests", Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(directory);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Development",
        });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var needleBuilder = builder.Services.AddNeedle(o =>
        {
            o.UseSqlite($"Data Source={Path.Combine(directory, "needle.db")}");
            o.NodeId = "test-node";
            configure?.Invoke(o);
        });
        if (observability)
        {
            needleBuilder.AddObservability();
            builder.Services.AddHealthChecks().AddNeedle();
        }

        needle?.Invoke(needleBuilder);

        var app = builder.Build();
        app.MapNeedle();
        app.MapNeedleApi();
        if (observability)
        {
            app.MapPrometheusScrapingEndpoint();
            app.MapHealthChecks("/healthz");
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new TestHost(app, directory, new Uri(address));
    }

    /// <summary>Deploys through the API, asserts success, and returns the version number.</summary>
    public async Task<int> DeployAsync(string name, string source, object? manifest = null, object? canary = null)
    {
        using var response = await Client.PostAsJsonAsync($"/needle/api/functions/{name}/versions", new { source, manifest, canary });
        var text = await response.Content.ReadAsStringAsync();
        Assert.IsTrue(response.IsSuccessStatusCode, $"Deploy of {name} failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!["version"]!.GetValue<int>();
    }

    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the OS is not worth failing a test over.
        }
    }
}
