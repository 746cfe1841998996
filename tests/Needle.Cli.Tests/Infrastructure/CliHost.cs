using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Needle.Cli.Tests.Infrastructure;

/// <summary>
/// The sample host (all four packages) on Kestrel at 127.0.0.1 with an empty store and no watched functions, and a
/// way to run <c>needle</c> against it in-process, as a user would type it.
/// </summary>
internal sealed class CliHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private CliHost(WebApplicationFactory<Program> factory, Uri address, string directory)
    {
        _factory = factory;
        Address = address;
        Directory = directory;
    }

    public Uri Address { get; }

    public string Directory { get; }

    /// <summary>Starts the host.</summary>
    /// <param name="apiKey">The host's <c>NeedleOptions.ApiKey</c>, if it has one.</param>
    /// <param name="asRemoteCaller">Every request looks as if it came from another machine (203.0.113.7, a documentation
    /// address; nothing is sent there): the control plane then admits only the API key.</param>
    public static CliHost Start(string? apiKey = null, bool asRemoteCaller = false)
    {
        var directory = Path.Combine(Path.GetTempPath(), "needle-cli-tests", Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "functions"));
        var port = FreePort();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder
            .UseContentRoot(directory)
            .UseSetting("ConnectionStrings:Needle", $"Data Source={Path.Combine(directory, "needle.db")}")
            .UseSetting("Needle:FunctionsPath", Path.Combine(directory, "functions"))
            .UseSetting("Urls", $"http://127.0.0.1:{port}")
            .UseSetting("Logging:LogLevel:Default", "Warning")
            .ConfigureServices(services =>
            {
                if (apiKey is not null)
                {
                    services.Configure<Needle.Hosting.NeedleOptions>(o => o.ApiKey = apiKey);
                }

                if (asRemoteCaller)
                {
                    services.AddSingleton<IStartupFilter, RemoteCallerStartupFilter>();
                }
            }));
        factory.UseKestrel();
        factory.StartServer();
        return new CliHost(factory, new Uri($"http://127.0.0.1:{port}"), directory);
    }

    /// <summary>Runs <c>needle</c> with these arguments and <c>--url</c> pointing here (unless the arguments name one).</summary>
    public Task<CliRun> RunAsync(params string[] args) => RunWithAsync(new Dictionary<string, string>(), args);

    public async Task<CliRun> RunWithAsync(IReadOnlyDictionary<string, string> variables, string[] args, CancellationToken cancellationToken = default)
    {
        var full = args.Contains("--url") || variables.ContainsKey("NEEDLE_URL") ? args : [.. args, "--url", Address.ToString()];
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await NeedleCli.RunAsync(full, CliEnvironment.Plain(output, error, variables), cancellationToken);
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    /// <summary>Writes a file under this host's scratch folder and returns its path.</summary>
    public string WriteFile(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public HttpClient CreateClient() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold its file for a moment; the temp folder is the OS's to clean.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
