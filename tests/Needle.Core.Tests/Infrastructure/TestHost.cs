using Microsoft.AspNetCore.Builder;
using Needle.Hosting;

namespace Needle.Tests.Infrastructure;

/// <summary>A real host: Kestrel on 127.0.0.1, a real SQLite file, Needle mapped at /fn and /needle/api (see <see cref="NeedleTestHost"/>).</summary>
public sealed class TestHost : NeedleTestHost
{
    private TestHost(StartedHost started)
        : base(started)
    {
    }

    public static async Task<TestHost> StartAsync(
        Action<NeedleOptions>? configure = null,
        Action<INeedleBuilder>? needle = null,
        Action<WebApplication>? map = null,
        string? directory = null,
        IReadOnlyDictionary<string, string?>? configuration = null,
        Action<WebApplicationBuilder>? host = null) =>
        new(await LaunchAsync(new NeedleTestHostSettings
        {
            Directory = directory,
            Configuration = configuration,
            Options = configure,
            Needle = needle is null ? null : (builder, _) => needle(builder),
            Host = host,
            Map = map is null ? null : (app, _) => map(app),
        }));
}
