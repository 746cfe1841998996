using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Needle.Hosting;

namespace Needle.Tests.Infrastructure;

/// <summary>A real host: Kestrel on 127.0.0.1, a real SQLite file, Needle mapped at /fn and /needle/api.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    private TestHost(WebApplication app, string directory, bool ownsDirectory, Uri address)
    {
        _app = app;
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Directory { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestHost> StartAsync(
        Action<NeedleOptions>? configure = null,
        Action<INeedleBuilder>? needle = null,
        Action<WebApplication>? map = null,
        string? directory = null,
        IReadOnlyDictionary<string, string?>? configuration = null,
        Action<WebApplicationBuilder>? host = null)
    {
        var ownsDirectory = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "needle-tests", Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(directory);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Development",
        });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        if (configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var needleBuilder = builder.Services.AddNeedle(o =>
        {
            o.UseSqlite($"Data Source={Path.Combine(directory, "needle.db")}");
            o.NodeId = "test-node";
            configure?.Invoke(o);
        });
        needle?.Invoke(needleBuilder);
        host?.Invoke(builder);

        var app = builder.Build();
        app.MapNeedle();
        app.MapNeedleApi();
        map?.Invoke(app);
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .First(a => !a.StartsWith("http://unix:", StringComparison.Ordinal));
        return new TestHost(app, directory, ownsDirectory, new Uri(address));
    }

    /// <summary>Deploys through the API and returns the response (not checked).</summary>
    public Task<HttpResponseMessage> TryDeployAsync(string name, string source, object? manifest = null, bool activate = true, string? reason = null) =>
        Client.PostAsJsonAsync($"/needle/api/functions/{name}/versions", new { source, manifest, activate, reason });

    /// <summary>Deploys through the API, asserts success, and returns the version number.</summary>
    public async Task<int> DeployAsync(string name, string source, object? manifest = null)
    {
        using var response = await TryDeployAsync(name, source, manifest);
        var text = await response.Content.ReadAsStringAsync();
        Assert.IsTrue(response.IsSuccessStatusCode, $"Deploy of {name} failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!["version"]!.GetValue<int>();
    }

    public async Task<(int Status, string Body, string? Version)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var version = response.Headers.TryGetValues("Needle-Version", out var values) ? values.First() : null;
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), version);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDirectory)
        {
            DeleteDirectory(Directory);
        }
    }

    public static void DeleteDirectory(string directory)
    {
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the OS is not worth failing a test over; the temp folder is cleaned eventually.
        }
    }
}
