using Npgsql;

namespace Needle.Rollback.Hosting;

/// <summary>What <see cref="RollbackOptions.UsePostgresStorage"/> must be given; each failure names the option and what was wrong.</summary>
internal static class PostgresStorageRules
{
    public static void Check(List<string> failures, RollbackOptions options)
    {
        if (options.PostgresConnectionString is { } connectionString)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                failures.Add("Needle.Rollback: UsePostgresStorage(connectionString) was given an empty connection string; pass none to use the Needle store's database.");
            }
            else
            {
                try
                {
                    _ = new NpgsqlConnectionStringBuilder(connectionString);
                }
                catch (ArgumentException ex)
                {
                    // The message names the bad keyword; the connection string itself may hold a password.
                    failures.Add($"Needle.Rollback: UsePostgresStorage(connectionString) is not an Npgsql connection string: {ex.Message}");
                }
            }
        }

        if (!IsSchemaName(options.PostgresSchema))
        {
            failures.Add($"Needle.Rollback: UsePostgresStorage(schema: '{options.PostgresSchema}') is not a schema name of lower-case letters, digits and '_' (at most 63, not starting with a digit).");
        }
    }

    private static bool IsSchemaName(string? name) =>
        name is { Length: > 0 and <= 63 } && !char.IsAsciiDigit(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
