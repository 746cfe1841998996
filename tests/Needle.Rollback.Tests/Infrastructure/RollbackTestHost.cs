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
using Microsoft.Extensions.Time.Testing;
using Needle.Rollback.Guard;
using Needle.Rollback.Hosting;

namespace Needle.Rollback.Tests.Infrastructure;

/// <summary>A real host with Needle and Needle.Rollback: Kestrel on 127.0.0.1, a real SQLite file, Hangfire in memory with a real server.</summary>
internal sealed class RollbackTestHost : IAsyncDisposable
{
    public const string Source = "export default (req, ctx) => ({ ok: true, v: 1 });\n";
    public static readonly object Manifest = new { route = "/orders", methods = new[] { "GET" } };

    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    private RollbackTestHost(WebApplication app, string directory, bool ownsDirectory, FakeTimeProvider time)
    {
        _app = app;
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Time = time;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Directory { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public RequestHealthSource Health => Services.GetRequiredService<RequestHealthSource>();

    public static async Task<RollbackTestHost> StartAsync(
        Action<RollbackOptions>? configure = null,
        string? directory = null,
        FakeTimeProvider? time = null,
        ICanaryHealthSource? health = null,
        bool queueDown = false,
        Action<IServiceCollection>? services = null,
        bool observability = false)
    {
        var ownsDirectory = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "needle-rollback-tests", Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(directory);
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Development" });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        if (health is not null)
        {
            builder.Services.AddSingleton(health);
        }

        services?.Invoke(builder.Services);
        if (queueDown)
        {
            var down = new UnavailableJobStorage();
            builder.Services.AddSingleton(sp => new RollbackJobs(down, new Hangfire.BackgroundJobClient(down), new Hangfire.RecurringJobManager(down), ownsStorage: false, sp.GetRequiredService<ILogger<RollbackJobs>>()));
        }

        var needle = builder.Services
            .AddNeedle(o =>
            {
                o.UseSqlite($"Data Source={Path.Combine(directory, "needle.db")}");
                o.NodeId = "test-node";
            });
        if (observability)
        {
            needle.AddObservability();
        }

        needle
            .AddRollback(o =>
            {
                o.UseInMemoryStorage();
                o.SchedulePollingInterval = TimeSpan.FromMilliseconds(200);
                o.QueuePollInterval = TimeSpan.FromMilliseconds(100);
                configure?.Invoke(o);
            });

        var app = builder.Build();
        app.MapNeedle();
        app.MapNeedleApi();
        app.MapNeedleJobsDashboard();
        await app.StartAsync();
        return new RollbackTestHost(app, directory, ownsDirectory, time);
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Deploys <c>orders</c> version 1 and returns its content hash.</summary>
    public async Task<string> DeployOrdersAsync(string source = Source)
    {
        using var response = await Client.PostAsJsonAsync("/needle/api/functions/orders/versions", new { source, manifest = Manifest });
        Assert.IsTrue(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var created = await response.Content.ReadFromJsonAsync<JsonNode>();
        return created!["contentHash"]!.GetValue<string>();
    }

    /// <summary>Deploys a new version of <c>orders</c> without activating it; returns its number.</summary>
    public async Task<int> DeployInactiveAsync(string source)
    {
        using var response = await Client.PostAsJsonAsync("/needle/api/functions/orders/versions", new { source, manifest = Manifest, activate = false });
        Assert.IsTrue(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["version"]!.GetValue<int>();
    }

    public async Task<JsonNode> ReleaseAsync() =>
        (await Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/orders"))!["function"]!["release"]!;

    public async Task<int> VersionCountAsync() =>
        (await Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/orders"))!["versions"]!.AsArray().Count;

    /// <summary>Waits (real time, bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, string what, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting for " + what);
            }

            await Task.Delay(50);
        }
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
            // A file still held by the OS is not worth failing a test over.
        }
    }
}
