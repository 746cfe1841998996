using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Needle.Console.Tests.Infrastructure;

/// <summary>
/// A real host set up as the sample is (see <see cref="NeedleTestHost"/>): the sample's functions deployed by the
/// folder watcher, the control plane at /needle/api and the console at /needle. (The sample's in-process backend is
/// internal to it; the aggregator deploys, but its downstream calls are not what these tests are about.)
/// </summary>
public sealed class ConsoleHost : NeedleTestHost
{
    private ConsoleHost(StartedHost started)
        : base(started)
    {
    }

    /// <summary>How many functions the sample has (JavaScript and C#).</summary>
    public static int SampleFunctionCount =>
        System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "sample-functions")).Count(f => f.EndsWith(".js", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal));

    /// <param name="functions">Extra functions to write into the watched folder beside the sample's (name → source).</param>
    /// <param name="configure">More host set-up (services, authorization policies ...).</param>
    /// <param name="map">More endpoints, or conventions on the console and API groups.</param>
    /// <param name="forwardedHeaders">Honour X-Forwarded-For from the local proxy, so a test can be a remote caller.</param>
    /// <param name="observability">Add Needle.Observability, whose health windows the console shows.</param>
    public static async Task<ConsoleHost> StartAsync(
        IReadOnlyDictionary<string, string>? functions = null,
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication, RouteGroupBuilder, RouteGroupBuilder>? map = null,
        bool forwardedHeaders = false,
        bool observability = false)
    {
        var directory = TemporaryDirectory.Create("needle-console-tests");
        var functionsDirectory = directory.Combine("functions");
        System.IO.Directory.CreateDirectory(functionsDirectory);
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "sample-functions")))
        {
            File.Copy(file, Path.Combine(functionsDirectory, Path.GetFileName(file)));
        }

        foreach (var (name, source) in functions ?? new Dictionary<string, string>())
        {
            await File.WriteAllTextAsync(Path.Combine(functionsDirectory, name + ".js"), source);
        }

        var host = new ConsoleHost(await LaunchAsync(new NeedleTestHostSettings
        {
            Directory = directory.Path,
            OwnsDirectory = true,
            NodeId = "console-test-node",
            // The downstream is the host itself, so its address must be known before the host starts.
            ChoosePortFirst = true,
            ClientTimeout = TimeSpan.FromSeconds(30),
            DeployReason = "test",
            Needle = (needle, address) =>
            {
                needle.WatchDirectory(functionsDirectory)
                    .AddDownstream("backend", new Uri(address, "/backend/"))
                    .AddConsole();
                if (observability)
                {
                    needle.AddObservability();
                }

                if (forwardedHeaders)
                {
                    needle.Services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor);
                }
            },
            Host = configure,
            Pipeline = app =>
            {
                if (forwardedHeaders)
                {
                    app.UseForwardedHeaders();
                }
            },
            Map = (app, api) =>
            {
                var console = app.MapNeedleConsole("/needle");
                map?.Invoke(app, api, console);
            },
        }));
        await host.WaitForFunctionsAsync(SampleFunctionCount + (functions?.Count ?? 0));
        return host;
    }

    /// <summary>Calls a function and returns the version that served it (the Needle-Version header).</summary>
    public async Task<string?> ServedByAsync(string path) => (await GetAsync(path)).Version;

    private Task WaitForFunctionsAsync(int count) =>
        Eventually.ValueAsync(
            async () => (await GetJsonAsync("/needle/api/functions")).AsArray().Count(f => f!["serving"] is not null),
            serving => serving >= count,
            $"the watcher to deploy all {count} functions",
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(100));
}
