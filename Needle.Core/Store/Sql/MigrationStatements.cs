namespace Needle.Store.Sql;

/// <summary>
/// The statements over a migration version table, shared by every dialect's migrator: the table's name is checked once
/// (it is written into the SQL, so only lower-case letters, digits and '_' pass) and the statements are built from it.
/// </summary>
internal sealed class MigrationStatements
{
    public MigrationStatements(string versionTable)
    {
        if (string.IsNullOrEmpty(versionTable) || versionTable.Length > 63 || char.IsAsciiDigit(versionTable[0])
            || !versionTable.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"'{versionTable}' is not a table name of lower-case letters, digits and '_'.", nameof(versionTable));
        }

        CreateVersionTable = $"""
            CREATE TABLE IF NOT EXISTS {versionTable} (
              version INTEGER NOT NULL PRIMARY KEY,
              name TEXT NOT NULL,
              applied_at TEXT NOT NULL
            )
            """;
        CountApplied = $"SELECT COUNT(*) FROM {versionTable} WHERE version = @Version";
        RecordApplied = $"INSERT INTO {versionTable} (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)";
    }

    /// <summary>Creates the version table when it is missing.</summary>
    public string CreateVersionTable { get; }

    /// <summary>Counts the rows of one version (@Version): 1 when it is applied.</summary>
    public string CountApplied { get; }

    /// <summary>Records one applied migration (@Version, @Name, @AppliedAt).</summary>
    public string RecordApplied { get; }
}
