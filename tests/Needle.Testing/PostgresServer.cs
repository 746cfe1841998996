using System.Diagnostics;
using Npgsql;

namespace Needle.Testing;

/// <summary>
/// A throwaway PostgreSQL for tests, one per test assembly: <c>initdb</c> on a temporary folder (owned by the
/// <c>postgres</c> user when the tests run as root), started with <c>pg_ctl</c> on a free port on 127.0.0.1 with its
/// unix socket in that folder, stopped and deleted when the process exits (or at <see cref="StopShared"/>). When
/// <c>NEEDLE_TEST_POSTGRES</c> holds a connection string, that server is used instead. Each test class (or test) gets a
/// database of its own from <see cref="CreateDatabaseAsync"/>. When no server can start, a test is inconclusive, but
/// fails when <c>CI=true</c>: CI never skips the PostgreSQL tests silently. A test that stops the server (an outage)
/// takes a private one from <see cref="StartPrivateAsync"/> instead, so the other tests keep theirs.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The environment variable that names an existing server (a connection string with rights to create databases).</summary>
    public const string ServerVariable = "NEEDLE_TEST_POSTGRES";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PostgresServer? _shared;
    private static string? _unavailable;

    private readonly string? _directory;
    private readonly string? _pgCtl;
    private readonly string? _settings;
    private readonly bool _runAsPostgres;
    private bool _deleted;

    private PostgresServer(string adminConnectionString, string? directory, string? pgCtl, string? settings, bool runAsPostgres)
    {
        AdminConnectionString = adminConnectionString;
        _directory = directory;
        _pgCtl = pgCtl;
        _settings = settings;
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
                        ? new PostgresServer(external, null, null, null, false)
                        : await StartStoppedAtExitAsync();
                }
                catch (Exception ex) when (ex is not AssertFailedException)
                {
                    _unavailable = ex.Message;
                }
            }

            return _shared ?? throw Missing($"{_unavailable} Install Debian's 'postgresql' package or set {ServerVariable}.");
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Starts a server of the caller's own (never <c>NEEDLE_TEST_POSTGRES</c>'s), which it may stop and start again on
    /// the same port and data (<see cref="StopAsync"/>, <see cref="StartAsync"/>) without disturbing other tests.
    /// Dispose it to stop it and delete its folder. Inconclusive (failed when <c>CI=true</c>) without PostgreSQL's binaries.
    /// </summary>
    public static async Task<PostgresServer> StartPrivateAsync()
    {
        try
        {
            return await StartStoppedAtExitAsync();
        }
        catch (Exception ex) when (ex is not AssertFailedException)
        {
            throw Missing($"a private server could not start: {ex.Message} Install Debian's 'postgresql' package.");
        }
    }

    /// <summary>A new empty database on this server; returns its connection string.</summary>
    public Task<string> NewDatabaseAsync() => NewDatabaseAsync(this);

    /// <summary>
    /// Stops this private server. <paramref name="immediate"/>: like a crash (no shutdown checkpoint, connections
    /// dropped); otherwise a fast shutdown (open sessions are told the server is going away).
    /// </summary>
    public Task StopAsync(bool immediate = false)
    {
        var (pgCtl, directory) = Own();
        return RunAsync(pgCtl, _runAsPostgres, "-D", Path.Combine(directory, "data"), "-m", immediate ? "immediate" : "fast", "-w", "stop");
    }

    /// <summary>Starts this private server again after <see cref="StopAsync"/>: the same port, the same data.</summary>
    public Task StartAsync()
    {
        var (pgCtl, directory) = Own();
        return RunAsync(pgCtl, _runAsPostgres, "-D", Path.Combine(directory, "data"), "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o", _settings!, "start");
    }

    /// <summary>Stops the server (when it runs) and deletes its folder; the shared or an external server is left alone.</summary>
    public ValueTask DisposeAsync()
    {
        if (!ReferenceEquals(this, _shared))
        {
            Stop();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A new empty database on the shared server; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync() => await NewDatabaseAsync(await SharedAsync());

    private static async Task<string> NewDatabaseAsync(PostgresServer server)
    {
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

    private static Exception Missing(string why)
    {
        var message = $"No PostgreSQL for the tests: {why}";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Inconclusive(message);
        return new InvalidOperationException(message);
    }

    private static async Task<PostgresServer> StartStoppedAtExitAsync()
    {
        var server = await StartNewAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    private static async Task<PostgresServer> StartNewAsync()
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
                    settings,
                    runAsPostgres);
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

    // Runs a program (as the postgres user when asked) and throws with its output when it fails.
    internal static async Task RunAsync(string program, bool asPostgres, params string[] arguments)
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

    private (string PgCtl, string Directory) Own() =>
        _pgCtl is not null && _directory is not null && !_deleted
            ? (_pgCtl, _directory)
            : throw new InvalidOperationException("Only a server this process started (and has not disposed) can be stopped and started.");

    private void Stop()
    {
        if (_pgCtl is null || _directory is null || _deleted)
        {
            return;
        }

        _deleted = true;
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
