using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Needle.Sample;

/// <summary>
/// Where the sample listens and where its functions find the in-process backend, so the sample works on any port:
/// <c>dotnet run -- --urls http://127.0.0.1:6001</c> moves the backend with it.
/// </summary>
public static class SampleAddresses
{
    /// <summary>The address the sample listens on when nothing is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    private static readonly string[] s_wildcards = ["*", "+", "0.0.0.0", "[::]"];

    /// <summary>All the addresses to listen on: <c>urls</c> from configuration (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>Urls</c>), else <see cref="DefaultUrl"/>.</summary>
    /// <param name="configuration">The host's configuration.</param>
    /// <returns>A <c>;</c>-separated list of URLs.</returns>
    public static string ListenUrl(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        return string.IsNullOrWhiteSpace(urls) ? DefaultUrl : urls;
    }

    /// <summary>
    /// The backend's base address: <c>Needle:Backend</c> when set, else <c>/backend/</c> on the first address the host
    /// listens on, with a wildcard host (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>) reached through loopback. On port 0
    /// the port is only known once the server listens: <see cref="Bound"/> fills it in when the client is made.
    /// </summary>
    /// <param name="configuration">The host's configuration.</param>
    /// <param name="listenUrls">What <see cref="ListenUrl"/> returned.</param>
    /// <returns>The base address for <c>AddDownstream("backend", ...)</c>.</returns>
    public static Uri Backend(IConfiguration configuration, string listenUrls)
    {
        if (configuration["Needle:Backend"] is { Length: > 0 } configured)
        {
            return new Uri(configured);
        }

        var first = listenUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        foreach (var wildcard in s_wildcards)
        {
            first = first.Replace("://" + wildcard + ":", "://127.0.0.1:", StringComparison.Ordinal);
        }

        var backend = new UriBuilder(first) { Path = "/backend/" };
        return backend.Uri;
    }

    /// <summary>
    /// The backend's address with the port the server really listens on, when <see cref="Backend"/> had to leave it 0
    /// (<c>--urls http://127.0.0.1:0</c>); any other address is returned as it is.
    /// </summary>
    /// <param name="services">The host's services (its <see cref="IServer"/>).</param>
    /// <param name="backend">What <see cref="Backend"/> returned.</param>
    /// <returns>The address to call.</returns>
    public static Uri Bound(IServiceProvider services, Uri backend)
    {
        if (backend.Port != 0)
        {
            return backend;
        }

        var addresses = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var listening = addresses.Select(a => new Uri(a)).FirstOrDefault(a => a.Scheme == backend.Scheme && a.Port != 0)
            ?? throw new InvalidOperationException($"The sample does not listen on {backend.Scheme} yet, so its backend has no port; set Needle:Backend.");
        return new UriBuilder(backend) { Port = listening.Port }.Uri;
    }
}
