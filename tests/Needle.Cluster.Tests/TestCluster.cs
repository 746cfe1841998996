namespace Needle.Cluster.Tests;

/// <summary>
/// A cluster for one test: a fresh database on the test assembly's PostgreSQL and <c>n</c> sample nodes
/// (<c>node-a</c>, <c>node-b</c>, …) started together on it, all watching one folder. Disposing kills every node
/// and deletes the folders.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TemporaryDirectory _directory;

    private TestCluster(TemporaryDirectory directory, string connectionString, IReadOnlyList<ClusterNode> nodes)
    {
        _directory = directory;
        ConnectionString = connectionString;
        Nodes = nodes;
    }

    /// <summary>
    /// How long a test waits for every node to take a change when the point is that they do, not how fast: a minute,
    /// since on the shared 2-core machine (load averages of 40 and more) a node's first load can take tens of seconds.
    /// </summary>
    public static readonly TimeSpan ConvergeTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The cluster's database.</summary>
    public string ConnectionString { get; }

    /// <summary>The nodes, in start order.</summary>
    public IReadOnlyList<ClusterNode> Nodes { get; }

    /// <summary>The folder every node watches for function files.</summary>
    public string FunctionsPath => _directory.Combine("functions");

    /// <summary>The node at <paramref name="index"/>.</summary>
    public ClusterNode this[int index] => Nodes[index];

    /// <summary>
    /// Starts <paramref name="count"/> nodes at once on an empty database. <paramref name="settings"/> are extra
    /// configuration for every node (<c>Key</c> → value), for example a short poll. <paramref name="functionFiles"/>
    /// (file name → content, e.g. <c>hello.js</c>) are written to <see cref="FunctionsPath"/> before any node starts,
    /// as functions baked into an image.
    /// </summary>
    public static async Task<TestCluster> StartAsync(
        int count = 3,
        IReadOnlyDictionary<string, string>? settings = null,
        string? connectionString = null,
        IReadOnlyDictionary<string, string>? functionFiles = null)
    {
        connectionString ??= await PostgresServer.CreateDatabaseAsync();
        var directory = TemporaryDirectory.Create("needle-cluster-tests");
        Directory.CreateDirectory(directory.Combine("functions"));
        foreach (var (file, content) in functionFiles ?? new Dictionary<string, string>())
        {
            await File.WriteAllTextAsync(Path.Combine(directory.Combine("functions"), file), content);
        }

        var all = new Dictionary<string, string>
        {
            ["ConnectionStrings:NeedlePostgres"] = connectionString,
            ["Needle:FunctionsPath"] = directory.Combine("functions"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var starts = Enumerable.Range(0, count)
            .Select(i => ClusterNode.StartAsync("node-" + (char)('a' + i), directory.Combine("node-" + (char)('a' + i)), all))
            .ToList();
        try
        {
            return new TestCluster(directory, connectionString, await Task.WhenAll(starts));
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync();
            }

            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits until every running node serves <paramref name="version"/> (e.g. <c>hello@2</c>) at <paramref name="path"/>,
    /// for <see cref="ConvergeTimeout"/> unless told (often a node's first load);
    /// on time-out the failure says what each node serves and ends with the lagging nodes' output.
    /// </summary>
    public async Task WaitForAllAsync(string path, string version, TimeSpan? timeout = null)
    {
        try
        {
            await WaitForAllCoreAsync(path, version, timeout);
        }
        catch (AssertFailedException ex)
        {
            var report = new System.Text.StringBuilder(ex.Message);
            foreach (var node in Nodes.Where(n => n.IsRunning))
            {
                var served = await node.ServedVersionAsync(path);
                report.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n{node.Id} serves {served ?? "nothing"}");
                if (served != version)
                {
                    report.Append(System.Globalization.CultureInfo.InvariantCulture, $"; its log, requests left out, ends:\n{WithoutRequests(node.Process.Output)}");
                }
            }

            throw new AssertFailedException(report.ToString(), ex);
        }
    }

    // The host logs every request at Information; what explains a lagging node is everything else.
    private static string WithoutRequests(string output)
    {
        var kept = new System.Text.StringBuilder();
        var skipping = false;
        foreach (var line in output.Split('\n'))
        {
            if (!line.StartsWith(' '))
            {
                skipping = line.StartsWith("info: Microsoft.AspNetCore.", StringComparison.Ordinal);
            }

            if (!skipping)
            {
                kept.Append(line).Append('\n');
            }
        }

        return kept.Length > 6000 ? kept.ToString(kept.Length - 6000, 6000) : kept.ToString();
    }

    private Task WaitForAllCoreAsync(string path, string version, TimeSpan? timeout) =>
        Eventually.WaitAsync(
            async () =>
            {
                foreach (var node in Nodes.Where(n => n.IsRunning))
                {
                    if (await node.ServedVersionAsync(path) != version)
                    {
                        return false;
                    }
                }

                return true;
            },
            $"every node to serve {version} at {path}",
            timeout ?? ConvergeTimeout,
            TimeSpan.FromMilliseconds(20));

    /// <summary>Runs a scalar query on the cluster's database (for what only the database shows, e.g. Hangfire's tables); null for SQL NULL.</summary>
    public async Task<long?> ScalarAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync() is { } value and not DBNull ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// Waits until every running node that warms up its C# compiler (<see cref="ClusterNode.WarmsUp"/>) has finished
    /// (logged as warmed up or failed); returns at once when none does. On the shared 2-core machine three warm-ups at
    /// once take a minute and starve everything else, so a test about what happens later (an outage, a kill) waits for
    /// them first instead of timing its first deploy against them.
    /// </summary>
    public Task WaitForWarmUpAsync() =>
        Eventually.WaitAsync(
            () => Nodes.Where(n => n.IsRunning && n.WarmsUp).All(n => n.Process.Output.Contains("C# compiler warm", StringComparison.Ordinal)),
            "every node to warm up its C# compiler",
            TimeSpan.FromMinutes(3),
            TimeSpan.FromMilliseconds(200));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        _directory.Dispose();
    }
}
