using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Needle.Hosting;
using Npgsql;

namespace Needle.Tests.Serving;

/// <summary>The cluster tests' nodes: real hosts on one PostgreSQL database, and what they look like from the server.</summary>
internal static class ClusterNodes
{
    /// <summary>Starts a node on the store's connection string; <paramref name="health"/> adds Needle's health check.</summary>
    public static Task<NeedleTestHost> StartAsync(string nodeId, string store, TimeSpan poll, Action<PostgresStoreOptions>? postgres = null, LogCapture? logs = null, bool health = false) =>
        NeedleTestHost.StartAsync(new NeedleTestHostSettings
        {
            NodeId = nodeId,
            Options = o =>
            {
                o.UsePostgres(store, postgres);
                o.PollInterval = poll;
            },
            Needle = (needle, _) =>
            {
                if (logs is not null)
                {
                    needle.Services.AddSingleton<ILoggerProvider>(logs);
                }

                if (health)
                {
                    needle.Services.AddHealthChecks().AddNeedle();
                }
            },
        });

    /// <summary>Waits until <paramref name="count"/> listener sessions of the node are on the server.</summary>
    public static Task WaitForListenerAsync(string database, string nodeId, long count = 1) =>
        Eventually.WaitAsync(async () => await CountListenersAsync(database, nodeId) == count, $"{nodeId}'s listener to connect", TimeSpan.FromSeconds(20));

    public static async Task<long> CountListenersAsync(string database, string nodeId)
    {
        await using var connection = new NpgsqlConnection(database);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = @name AND datname = current_database()",
            new { name = "needle-listener:" + nodeId });
    }

    public static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.ExecuteAsync(sql);
    }
}
