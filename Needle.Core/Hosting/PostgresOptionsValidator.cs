using Npgsql;

namespace Needle.Hosting;

/// <summary>Checks <see cref="PostgresStoreOptions"/> at start, beside the rest of <see cref="NeedleOptions"/>.</summary>
internal static class PostgresOptionsValidator
{
    public static void Validate(PostgresStoreOptions options, List<string> failures)
    {
        Check(options.ConnectionString, "Postgres.ConnectionString", failures);
        if (options.ListenerConnectionString is not null)
        {
            Check(options.ListenerConnectionString, "Postgres.ListenerConnectionString", failures);
        }

        if (options.ListenerKeepAlive < TimeSpan.FromSeconds(1) || options.ListenerKeepAlive > TimeSpan.FromHours(1))
        {
            failures.Add($"Needle: Postgres.ListenerKeepAlive must be between 1 second and 1 hour (was {options.ListenerKeepAlive}).");
        }

        if (options.ConnectTimeout < TimeSpan.FromSeconds(1) || options.ConnectTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Needle: Postgres.ConnectTimeout must be between 1 second and 5 minutes (was {options.ConnectTimeout}).");
        }

        if (options.CommandTimeout < TimeSpan.FromSeconds(1) || options.CommandTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"Needle: Postgres.CommandTimeout must be between 1 second and 1 hour (was {options.CommandTimeout}).");
        }

        if (options.UnavailableProbeInterval < TimeSpan.FromMilliseconds(100) || options.UnavailableProbeInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Needle: Postgres.UnavailableProbeInterval must be between 100 ms and 5 minutes (was {options.UnavailableProbeInterval}).");
        }

        if (options.ListenerMaxReconnectDelay < TimeSpan.FromMilliseconds(100) || options.ListenerMaxReconnectDelay > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Needle: Postgres.ListenerMaxReconnectDelay must be between 100 ms and 5 minutes (was {options.ListenerMaxReconnectDelay}).");
        }
    }

    // The message names the option and what is wrong, never the connection string itself (it may hold a password).
    private static void Check(string connectionString, string name, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            failures.Add($"Needle: {name} is required.");
            return;
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                failures.Add($"Needle: {name} names no Host (for example 'Host=db;Database=needle;Username=needle').");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            failures.Add($"Needle: {name} is not a valid PostgreSQL connection string: {ex.Message}");
        }
    }
}
