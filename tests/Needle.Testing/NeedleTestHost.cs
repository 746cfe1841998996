using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Needle.Client;

namespace Needle.Testing;

/// <summary>
/// A real host with Needle: Kestrel on 127.0.0.1, a real SQLite file in a temporary folder, Needle mapped at <c>/fn</c>
/// and <c>/needle/api</c>. Each test project's host derives from it and adds only what its package adds.
/// </summary>
public class NeedleTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;
    private readonly string? _deployReason;

    /// <summary>Wraps a host that <see cref="LaunchAsync"/> started.</summary>
    protected NeedleTestHost(StartedHost started)
    {
        ArgumentNullException.ThrowIfNull(started);
        _app = started.App;
        _ownsDirectory = started.OwnsDirectory;
        _deployReason = started.Settings.DeployReason;
        Directory = started.Directory;
        Address = ListeningAddress(_app);
        Client = new HttpClient { BaseAddress = Address, Timeout = started.Settings.ClientTimeout };
        Api = new NeedleApiClient(new HttpClient { BaseAddress = new Uri(Address, NeedleHttp.ApiPath + "/"), Timeout = started.Settings.ClientTimeout }, ownsHttp: true);
    }

    /// <summary>The folder that holds the store (<c>needle.db</c>).</summary>
    public string Directory { get; }

    /// <summary>Where Kestrel listens.</summary>
    public Uri Address { get; }

    /// <summary>A client for the host's root.</summary>
    public HttpClient Client { get; }

    /// <summary>The typed control-plane client (Needle.Client), for tests where the API's shape is not what is tested.</summary>
    public NeedleApiClient Api { get; }

    public IServiceProvider Services => _app.Services;

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Starts a host with just Needle, set up by <paramref name="settings"/>.</summary>
    public static async Task<NeedleTestHost> StartAsync(NeedleTestHostSettings? settings = null) =>
        new(await LaunchAsync(settings ?? new NeedleTestHostSettings()));

    /// <summary>A slim builder as every test host uses: content root the test's output folder, Kestrel on <paramref name="url"/> (default: a free port on 127.0.0.1), no log providers.</summary>
    /// <param name="url">Where Kestrel listens.</param>
    /// <param name="minimumLogLevel">The lowest level logged (to providers a test adds).</param>
    /// <param name="environment">The host's environment: Development for the Needle test hosts (as they ran before), Production for a plain downstream (as it ran before).</param>
    public static WebApplicationBuilder CreateBuilder(Uri? url = null, LogLevel minimumLogLevel = LogLevel.Warning, string environment = "Development")
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = environment });
        builder.WebHost.UseKestrel().UseUrls((url ?? new Uri("http://127.0.0.1:0")).ToString());
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(minimumLogLevel);
        return builder;
    }

    /// <summary>The first TCP address a started app listens on.</summary>
    public static Uri ListeningAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .First(a => !a.StartsWith("http://unix:", StringComparison.Ordinal)));
    }

    /// <summary>The SQLite connection string of the store in <paramref name="directory"/>.</summary>
    public static string StoreConnectionString(string directory) => $"Data Source={Path.Combine(directory, "needle.db")}";

    /// <summary>Builds and starts the host <paramref name="settings"/> describe.</summary>
    protected static async Task<StartedHost> LaunchAsync(NeedleTestHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var directory = settings.Directory ?? TemporaryDirectory.Create(settings.Purpose).Path;
        var owns = settings.Directory is null || settings.OwnsDirectory;
        System.IO.Directory.CreateDirectory(directory);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var app = Build(settings, directory, settings.ChoosePortFirst ? FreePort.NextLoopbackUrl() : null);
                try
                {
                    await app.StartAsync();
                    return new StartedHost(app, directory, owns, settings);
                }
                catch (IOException) when (settings.ChoosePortFirst && attempt < 5)
                {
                    // Another process took the port between choosing and binding it.
                    await app.DisposeAsync();
                }
            }
        }
        catch when (owns)
        {
            TemporaryDirectory.Delete(directory);
            throw;
        }
    }

    private static WebApplication Build(NeedleTestHostSettings settings, string directory, Uri? url)
    {
        var builder = CreateBuilder(url, settings.MinimumLogLevel);
        if (settings.Configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings.Configuration);
        }

        settings.BeforeNeedle?.Invoke(builder);
        var needle = builder.Services.AddNeedle(o =>
        {
            o.UseSqlite(StoreConnectionString(directory));
            o.NodeId = settings.NodeId;
            settings.Options?.Invoke(o);
        });
        settings.Needle?.Invoke(needle, url ?? new Uri("http://127.0.0.1:0"));
        settings.Host?.Invoke(builder);

        var app = builder.Build();
        settings.Pipeline?.Invoke(app);
        app.MapNeedle();
        var api = app.MapNeedleApi(NeedleHttp.ApiPath);
        settings.Map?.Invoke(app, api);
        return app;
    }

    /// <summary>Deploys through the API and returns the response (not checked).</summary>
    public Task<HttpResponseMessage> TryDeployAsync(string name, string source, object? manifest = null, bool activate = true, string? reason = null, object? canary = null) =>
        Client.TryDeployAsync(name, source, manifest, activate, reason ?? _deployReason, canary);

    /// <summary>Deploys through the API, asserts success, and returns the version number.</summary>
    public async Task<int> DeployAsync(string name, string source, object? manifest = null, object? canary = null) =>
        (await Client.DeployAsync(name, source, manifest, reason: _deployReason, canary: canary))["version"]!.GetValue<int>();

    /// <summary>GETs a path: status, body and the serving version.</summary>
    public Task<(int Status, string Body, string? Version)> GetAsync(string path) => Client.GetResultAsync(path);

    /// <summary>GETs a path that answers JSON.</summary>
    public async Task<JsonNode> GetJsonAsync(string path) => JsonNode.Parse(await Client.GetStringAsync(path))!;

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDirectory)
        {
            TemporaryDirectory.Delete(Directory);
        }

        GC.SuppressFinalize(this);
    }
}
