using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Needle.Testing;

/// <summary>
/// A throwaway PgBouncer in <c>pool_mode = transaction</c> in front of the tests' PostgreSQL
/// (<see cref="PostgresServer.SharedAsync"/>), one per test assembly: Debian's <c>pgbouncer</c> started as the
/// <c>postgres</c> user (it refuses root) on a temporary folder and a free port on 127.0.0.1, every database name
/// forwarded to the server as its superuser (<c>auth_type = any</c>, loopback only), stopped when the process exits.
/// Idle server connections close after 2 s, so the many test databases do not hold the server's connection slots.
/// In transaction mode a client's consecutive transactions may run on different server sessions, so session state
/// (<c>LISTEN</c>, session advisory locks, <c>SET</c>, prepared statements, temporary tables) does not survive between
/// them: what the tests through it prove. Without <c>pgbouncer</c> a test is inconclusive, but fails when <c>CI=true</c>.
/// </summary>
public sealed class PgBouncerServer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PgBouncerServer? _shared;
    private static string? _unavailable;

    private PgBouncerServer(int port) => Port = port;

    /// <summary>The port PgBouncer listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The assembly's PgBouncer, started on first use in front of the shared PostgreSQL.</summary>
    public static async Task<PgBouncerServer> SharedAsync()
    {
        var server = await PostgresServer.SharedAsync();
        await Gate.WaitAsync();
        try
        {
            if (_shared is null && _unavailable is null)
            {
                try
                {
                    _shared = await StartAsync(new NpgsqlConnectionStringBuilder(server.AdminConnectionString));
                }
                catch (Exception ex) when (ex is not AssertFailedException)
                {
                    _unavailable = ex.Message;
                }
            }

            return _shared ?? throw Missing(_unavailable!);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A new empty database on the shared PostgreSQL; returns its direct connection string.</summary>
    public static Task<string> CreateDatabaseAsync() => PostgresServer.CreateDatabaseAsync();

    /// <summary>The connection string (of a database on the shared PostgreSQL) through this PgBouncer instead.</summary>
    public string Through(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port }.ConnectionString;

    private static async Task<PgBouncerServer> StartAsync(NpgsqlConnectionStringBuilder target)
    {
        var program = new[] { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("pgbouncer was not found in /usr/sbin or /usr/bin.");
        var runAsPostgres = Environment.UserName == "root";
        var directory = TemporaryDirectory.Create("needle-pgbouncer").Path;
        var pidFile = Path.Combine(directory, "pgbouncer.pid");
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var config = Path.Combine(directory, "pgbouncer.ini");
            await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
                [databases]
                * = host={target.Host} port={target.Port} user={target.Username}

                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = {port}
                unix_socket_dir =
                auth_type = any
                pool_mode = transaction
                max_client_conn = 1000
                default_pool_size = 20
                server_idle_timeout = 2
                ignore_startup_parameters = extra_float_digits,search_path,options
                logfile = {Path.Combine(directory, "pgbouncer.log")}
                pidfile = {pidFile}

                """));
            if (runAsPostgres)
            {
                await PostgresServer.RunAsync("chown", false, "-R", "postgres:postgres", directory);
            }

            try
            {
                await PostgresServer.RunAsync(program, runAsPostgres, "-d", config);
                await WaitUntilAnswersAsync(port, target);
                var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(pid, directory);
                return new PgBouncerServer(port);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another process took the port first: try another.
                if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
                {
                    Stop(pid, null);
                }
            }
        }
    }

    private static async Task WaitUntilAnswersAsync(int port, NpgsqlConnectionStringBuilder target)
    {
        var through = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Host = "127.0.0.1", Port = port, Pooling = false, Timeout = 2 };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(through.ConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && deadline.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(100);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                throw new InvalidOperationException($"pgbouncer on port {port} did not answer: {ex.Message}", ex);
            }
        }
    }

    private static Exception Missing(string why)
    {
        var message = $"No PgBouncer for the tests: {why} Install Debian's 'pgbouncer' package.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Inconclusive(message);
        return new InvalidOperationException(message);
    }

    private static void Stop(int pid, string? directory)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(5000);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }

        if (directory is not null)
        {
            TemporaryDirectory.Delete(directory);
        }
    }
}
