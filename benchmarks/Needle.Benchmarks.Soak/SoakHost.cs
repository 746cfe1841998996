using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Needle.Benchmarks.Soak;

/// <summary>
/// The host under soak, in this process (so its RSS and thread pool are read directly): Needle on a temporary SQLite
/// file with a downstream service <c>backend</c>, itself a small Kestrel app on 127.0.0.1 (users and a slow endpoint).
/// </summary>
internal sealed class SoakHost : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly WebApplication _app;
    private readonly WebApplication _backend;
    private readonly string _directory;

    private SoakHost(WebApplication app, WebApplication backend, string directory, Uri address)
    {
        _app = app;
        _backend = backend;
        _directory = directory;
        Address = address;
        Api = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(120) };
    }

    public Uri Address { get; }

    /// <summary>A client for the control plane (deploys).</summary>
    public HttpClient Api { get; }

    public static async Task<SoakHost> StartAsync()
    {
        var backend = WebApplication.CreateSlimBuilder();
        backend.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        backend.Logging.ClearProviders();
        var backendApp = backend.Build();
        backendApp.MapGet("/users/{id:int}", (int id) => new { id, name = $"User {id}" });
        backendApp.MapGet("/slow", async (int ms, CancellationToken token) =>
        {
            await Task.Delay(ms, token);
            return "slow";
        });
        await backendApp.StartAsync();

        var directory = Path.Combine(Path.GetTempPath(), "needle-soak", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddNeedle(o => o.UseSqlite($"Data Source={Path.Combine(directory, "needle.db")}"))
            .AddDownstream("backend", AddressOf(backendApp));
        var app = builder.Build();
        app.MapNeedle();
        app.MapNeedleApi();
        await app.StartAsync();
        return new SoakHost(app, backendApp, directory, AddressOf(app));
    }

    /// <summary>Deploys a function; returns the status and the answer's text (not checked).</summary>
    public async Task<(int Status, string Text)> TryDeployAsync(string name, string source, object manifest)
    {
        using var response = await Api.PostAsJsonAsync($"/needle/api/functions/{name}/versions", new { source, manifest }, Json);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _backend.StopAsync();
        await _backend.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held is not worth failing the soak over; the temp folder is cleaned eventually.
        }
    }

    private static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
}
