namespace Needle.Benchmarks.Host;

/// <summary>
/// The host's arguments: <c>--port</c> (5302), <c>--mock</c> (the mock backend's root, http://127.0.0.1:5301),
/// <c>--functions</c> (the sample's functions folder), <c>--db</c> (a fresh SQLite file in the temp folder) and
/// <c>--observability</c> (false; true adds Needle.Observability with its Prometheus endpoint at /metrics) and
/// <c>--instrumentation</c> (false; true adds OpenTelemetry's ASP.NET Core and HttpClient span instrumentation).
/// </summary>
internal sealed record BenchmarkHostSettings(int Port, Uri BackendUrl, string FunctionsPath, string DatabasePath, bool Observability = false, bool Instrumentation = false)
{
    public static BenchmarkHostSettings From(IConfiguration configuration)
    {
        var port = int.Parse(configuration["port"] ?? "5302", System.Globalization.CultureInfo.InvariantCulture);
        var mock = new Uri(configuration["mock"] ?? "http://127.0.0.1:5301");
        if (!IPAddressIsLoopback(mock))
        {
            throw new ArgumentException($"--mock must be a loopback URL, not '{mock}'.");
        }

        var functions = Path.GetFullPath(configuration["functions"] ?? FindSampleFunctions());
        var database = Path.GetFullPath(configuration["db"] ?? Path.Combine(Path.GetTempPath(), $"needle-bench-{Environment.ProcessId}.db"));

        // Every run starts from an empty store, so the sample functions are version 1 and nothing else serves.
        DeleteDatabaseFiles(database);
        var observability = bool.Parse(configuration["observability"] ?? "false");
        var instrumentation = bool.Parse(configuration["instrumentation"] ?? "false");
        return new BenchmarkHostSettings(port, new Uri(mock, "/backend/"), functions, database, observability, instrumentation);
    }

    public void DeleteDatabase() => DeleteDatabaseFiles(DatabasePath);

    private static void DeleteDatabaseFiles(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    private static bool IPAddressIsLoopback(Uri url) =>
        url.IsLoopback || (System.Net.IPAddress.TryParse(url.Host, out var address) && System.Net.IPAddress.IsLoopback(address));

    // From bin/Release/net10.0 (or wherever the host runs) up to the repository root, which holds Needle.sln.
    private static string FindSampleFunctions()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Needle.sln")))
            {
                return Path.Combine(dir.FullName, "samples", "Needle.Sample", "functions");
            }
        }

        throw new InvalidOperationException("Could not find the repository root (Needle.sln); pass --functions.");
    }
}
