using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Needle.Hosting;

namespace Needle.Console.Tests.Infrastructure;

/// <summary>
/// A real host set up as the sample is: Kestrel on 127.0.0.1, a SQLite file, the sample's functions deployed by the
/// folder watcher, the control plane at /needle/api and the console at /needle. (The sample's in-process backend is
/// internal to it; the aggregator deploys, but its downstream calls are not what these tests are about.)
/// </summary>
internal sealed class ConsoleHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private ConsoleHost(WebApplication app, string directory, Uri address)
    {
        _app = app;
        _directory = directory;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>How many functions the sample has (JavaScript and C#).</summary>
    public static int SampleFunctionCount =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "sample-functions")).Count(f => f.EndsWith(".js", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal));

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <param name="functions">Extra functions to write into the watched folder beside the sample's (name → source).</param>
    /// <param name="configure">More host set-up (services, authorization policies ...).</param>
    /// <param name="map">More endpoints, or conventions on the console and API groups.</param>
    /// <param name="forwardedHeaders">Honour X-Forwarded-For from the local proxy, so a test can be a remote caller.</param>
    public static async Task<ConsoleHost> StartAsync(
        IReadOnlyDictionary<string, string>? functions = null,
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication, RouteGroupBuilder, RouteGroupBuilder>? map = null,
        bool forwardedHeaders = false)
    {
        var directory = Path.Combine(Path.GetTempPath(), "needle-console-tests", Guid.NewGuid().ToString("n"));
        var functionsDirectory = Path.Combine(directory, "functions");
        Directory.CreateDirectory(functionsDirectory);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "sample-functions")))
        {
            File.Copy(file, Path.Combine(functionsDirectory, Path.GetFileName(file)));
        }

        foreach (var (name, source) in functions ?? new Dictionary<string, string>())
        {
            await File.WriteAllTextAsync(Path.Combine(functionsDirectory, name + ".js"), source);
        }

        // The downstream address must be known before the host starts, so the port is chosen first; another host
        // starting at the same moment may take it, hence the retry.
        for (var attempt = 1; ; attempt++)
        {
            var address = new Uri($"http://127.0.0.1:{FreePort()}");
            var app = Build(directory, functionsDirectory, address, configure, map, forwardedHeaders);
            try
            {
                await app.StartAsync();
            }
            catch (IOException) when (attempt < 5)
            {
                await app.DisposeAsync();
                continue;
            }

            var host = new ConsoleHost(app, directory, address);
            await host.WaitForFunctionsAsync(SampleFunctionCount + (functions?.Count ?? 0));
            return host;
        }
    }

    private static WebApplication Build(
        string directory,
        string functionsDirectory,
        Uri address,
        Action<WebApplicationBuilder>? configure,
        Action<WebApplication, RouteGroupBuilder, RouteGroupBuilder>? map,
        bool forwardedHeaders)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Development" });
        builder.WebHost.UseKestrel().UseUrls(address.ToString());
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddNeedle(o =>
            {
                o.UseSqlite($"Data Source={Path.Combine(directory, "needle.db")}");
                o.NodeId = "console-test-node";
            })
            .WatchDirectory(functionsDirectory)
            .AddDownstream("backend", new Uri(address, "/backend/"))
            .AddConsole();
        if (forwardedHeaders)
        {
            builder.Services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor);
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        if (forwardedHeaders)
        {
            app.UseForwardedHeaders();
        }

        app.MapNeedle();
        var api = app.MapNeedleApi("/needle/api");
        var console = app.MapNeedleConsole("/needle");
        map?.Invoke(app, api, console);
        return app;
    }

    /// <summary>Deploys through the API, asserts success, and returns the version number.</summary>
    public async Task<int> DeployAsync(string name, string source, object? manifest = null, object? canary = null)
    {
        using var response = await Client.PostAsJsonAsync($"/needle/api/functions/{name}/versions", new { source, manifest, canary, reason = "test" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.IsTrue(response.IsSuccessStatusCode, $"Deploy of {name} failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!["version"]!.GetValue<int>();
    }

    /// <summary>Calls a function and returns the version that served it (the Needle-Version header).</summary>
    public async Task<string?> ServedByAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return response.Headers.TryGetValues("Needle-Version", out var values) ? values.First() : null;
    }

    public async Task<JsonNode> GetJsonAsync(string path) =>
        JsonNode.Parse(await Client.GetStringAsync(path))!;

    private async Task WaitForFunctionsAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var list = (await GetJsonAsync("/needle/api/functions")).AsArray();
            if (list.Count(f => f!["serving"] is not null) >= count)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The watcher deployed {list.Count} of {count} functions in time.");
            }

            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the OS is not worth failing a test over.
        }
    }
}
