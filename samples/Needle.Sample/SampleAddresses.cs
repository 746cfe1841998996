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
    /// listens on, with a wildcard host (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>) reached through loopback.
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
        if (backend.Port == 0)
        {
            throw new InvalidOperationException(
                $"The sample cannot reach its backend on port 0 ('{first}'). Listen on a fixed port, or set Needle:Backend.");
        }

        return backend.Uri;
    }
}
