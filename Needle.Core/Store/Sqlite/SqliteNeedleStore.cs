using Needle.Store.Sql;

namespace Needle.Store.Sqlite;

/// <summary>The SQLite <see cref="INeedleStore"/> (the default): the shared store over <see cref="SqliteDialect"/>.</summary>
/// <param name="connectionString">A Microsoft.Data.Sqlite connection string, for example <c>Data Source=needle.db</c>.</param>
/// <param name="timeProvider">Stamps rows.</param>
internal sealed class SqliteNeedleStore(string connectionString, TimeProvider timeProvider)
    : SqlNeedleStore(new SqliteDialect(connectionString), timeProvider);
