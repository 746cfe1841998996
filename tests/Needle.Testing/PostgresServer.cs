using System.Diagnostics;
using Npgsql;

namespace Needle.Testing;

/// <summary>
/// A throwaway PostgreSQL for tests, one per test assembly: <c>initdb</c> on a temporary folder (owned by the
/// <c>postgres</c> user when the tests run as root), started with <c>pg_ctl</c> on a free port on 127.0.0.1 with its
/// unix socket in that folder, stopped and deleted when the process exits (or at <see cref="StopShared"/>). When
/// <c>NEEDLE_TEST_POSTGRES</c> holds a connection string, that server is used instead. Each test class (or test) gets a
/// database of its own from <see cref="CreateDatabaseAsync"/>. When no server can start, a test is inconclusive, but
/// fails when <c>CI=true</c>: CI never skips the PostgreSQL tests silently.
/// </summary>
public sealed class PostgresServer
{
    /// <summary>The environment variable that names an existing server (a connection string with rights to create databases).</summary>
    public const string ServerVariable = "NEEDLE_TEST_POSTGRES";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PostgresServer? _shared;
    private static string? _unavailable;

    private readonly string? _directory;
    private readonly string? _pgCtl;
    private readonly bool _runAsPostgres;

    private PostgresServer(string adminConnectionString, string? directory, string? pgCtl, bool runAsPostgres)
    {
        AdminConnectionString = adminConnectionString;
        _directory = directory;
        _pgCtl = pgCtl;
        _runAsPostgres = runAsPostgres;
    }

    /// <summary>A superuser connection string to the server's <c>postgres</c> database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>The assembly's server, started on first use.</summary>
    public static async Task<PostgresServer> SharedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_shared is null && _unavailable is null)
            {
                try
                {
                    _shared = Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } external
                        ? new PostgresServer(external, null, null, false)
                        : await StartAsync();
                }
                catch (Exception ex) when (ex is not AssertFailedException)
                {
                    _unavailable = ex.Message;
                }
            }

            if (_shared is null)
            {
                var message = $"No PostgreSQL for the tests: {_unavailable} Install Debian's 'postgresql' package or set {ServerVariable}.";
                if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                {
                    Assert.Fail(message);
                }

                Assert.Inconclusive(message);
            }

            return _shared;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A new empty database on the shared server; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = await SharedAsync();
        var name = "needle_" + Guid.NewGuid().ToString("n");
        await using (var connection = new NpgsqlConnection(server.AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server.AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Stops the server this assembly started (a server named by <c>NEEDLE_TEST_POSTGRES</c> is left running).</summary>
    public static void StopShared()
    {
        Gate.Wait();
        try
        {
            _shared?.Stop();
            _shared = null;
            _unavailable = "the server was stopped.";
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException("initdb was not found under /usr/lib/postgresql/*/bin.");
        var runAsPostgres = Environment.UserName == "root";
        var directory = TemporaryDirectory.Create("needle-postgres").Path;
        var data = Path.Combine(directory, "data");
        var sockets = Path.Combine(directory, "sockets");
        Directory.CreateDirectory(sockets);
        if (runAsPostgres)
        {
            // PostgreSQL refuses to run as root: the folder becomes the postgres user's.
            await RunAsync("chown", false, "-R", "postgres:postgres", directory);
        }

        await RunAsync(Path.Combine(bin, "initdb"), runAsPostgres, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions");
        var pgCtl = Path.Combine(bin, "pg_ctl");
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var settings = $"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            try
            {
                await RunAsync(pgCtl, runAsPostgres, "-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o", settings, "start");
                var server = new PostgresServer(
                    new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres" }.ConnectionString,
                    directory,
                    pgCtl,
                    runAsPostgres);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another process took the port first: try another.
            }
        }
    }

    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Path: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Path, "initdb")))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Path)
                .FirstOrDefault()
            : null;

    private static async Task RunAsync(string program, bool asPostgres, params string[] arguments)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var part in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(part);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}: {await error} {await output}".Trim());
        }
    }

    private void Stop()
    {
        if (_pgCtl is null || _directory is null)
        {
            return;
        }

        try
        {
            RunAsync(_pgCtl, _runAsPostgres, "-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop").GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        TemporaryDirectory.Delete(_directory);
    }
}
