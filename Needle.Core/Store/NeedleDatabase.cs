namespace Needle.Store;

/// <summary>The database a store keeps its data in: which kind, and how to reach it.</summary>
/// <param name="Provider">The kind of database, for example <see cref="Sqlite"/>.</param>
/// <param name="ConnectionString">The connection string the store opens.</param>
public sealed record NeedleDatabase(string Provider, string ConnectionString)
{
    /// <summary>The <see cref="Provider"/> of the SQLite store (Microsoft.Data.Sqlite connection strings).</summary>
    public const string Sqlite = "sqlite";

    /// <summary>The <see cref="Provider"/> of the PostgreSQL store (Npgsql connection strings).</summary>
    public const string Postgres = "postgres";

    /// <inheritdoc />
    // The connection string may hold a password: never print it.
    public override string ToString() => Provider;
}
