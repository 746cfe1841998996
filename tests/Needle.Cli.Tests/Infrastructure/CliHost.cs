using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Needle.Cli.Tests.Infrastructure;

/// <summary>
/// The sample host (all four packages) on Kestrel at 127.0.0.1 with an empty store and no watched functions, and a
/// way to run <c>needle</c> against it in-process, as a user would type it.
/// </summary>
public sealed class CliHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private readonly TemporaryDirectory _directory;

    private CliHost(WebApplicationFactory<Program> factory, Uri address, TemporaryDirectory directory)
    {
        _factory = factory;
        Address = address;
        _directory = directory;
    }

    public Uri Address { get; }

    public string Directory => _directory.Path;

    /// <summary>Starts the host.</summary>
    /// <param name="apiKey">The host's <c>NeedleOptions.ApiKey</c>, if it has one.</param>
    /// <param name="asRemoteCaller">Every request looks as if it came from another machine (203.0.113.7, a documentation
    /// address; nothing is sent there): the control plane then admits only the API key.</param>
    public static CliHost Start(string? apiKey = null, bool asRemoteCaller = false)
    {
        var directory = TemporaryDirectory.Create("needle-cli-tests");
        var functions = System.IO.Directory.CreateDirectory(directory.Combine("functions")).FullName;
        var port = FreePort.Next();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder
            .UseContentRoot(directory.Path)
            .UseSetting("ConnectionStrings:Needle", NeedleTestHost.StoreConnectionString(directory.Path))
            .UseSetting("Needle:FunctionsPath", functions)
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
        _directory.Dispose();
    }
}
