using System.Data.Common;
using Dapper;

namespace Needle.Store.Sql;

/// <summary>The statements that several store operations share, each run inside the caller's transaction.</summary>
internal static class SqlStatements
{
    public static CommandDefinition Command(string sql, object? parameters, DbTransaction transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);

    public static NeedleNotFoundException MissingFunction(string name) => new($"Function '{name}' does not exist.");

    public static NeedleNotFoundException MissingVersion(string name, int number) => new($"Function '{name}' has no version {number}.");

    public static Task<long> ReadRevisionAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(Command("SELECT value FROM revision WHERE id = 1", null, transaction, cancellationToken));

    public static Task<FunctionRow?> ReadFunctionAsync(
        DbConnection connection, DbTransaction transaction, string name, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<FunctionRow>(Command(
            $"SELECT {FunctionRow.Columns} FROM functions WHERE name = @name", new { name }, transaction, cancellationToken));

    public static Task<VersionRow?> ReadVersionAsync(
        DbConnection connection, DbTransaction transaction, string name, int number, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<VersionRow>(Command(
            $"SELECT {VersionRow.Columns} FROM versions WHERE function = @name AND number = @number",
            new { name, number },
            transaction,
            cancellationToken));

    public static async Task<ReleaseRecord> InsertReleaseAsync(
        DbConnection connection,
        DbTransaction transaction,
        ReleaseChange change,
        long revision,
        string now,
        CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleAsync<ReleaseRow>(Command(
            $"""
            INSERT INTO releases (function, stable_version, canary_version, canary_weight, action, revision, actor, reason, created_at, pins, kill_switch)
            VALUES (@Function, @StableVersion, @CanaryVersion, @CanaryWeight, @Action, @revision, @Actor, @Reason, @now, @pins, @killSwitch)
            RETURNING {ReleaseRow.Columns}
            """,
            new
            {
                change.Function,
                change.StableVersion,
                change.CanaryVersion,
                change.CanaryWeight,
                change.Action,
                revision,
                change.Actor,
                change.Reason,
                now,
                pins = change.Pins is { Count: > 0 } pins ? System.Text.Json.JsonSerializer.Serialize(pins) : null,
                killSwitch = change.KillSwitch is { } fallback ? System.Text.Json.JsonSerializer.Serialize(fallback, Functions.ManifestJson.Options) : null,
            },
            transaction,
            cancellationToken));
        return row.ToRecord();
    }

    public static Task InsertAuditAsync(
        DbConnection connection,
        DbTransaction transaction,
        AuditEntry entry,
        long? revision,
        string now,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(Command(
            """
            INSERT INTO audit (at, actor, action, function, version, revision, reason, detail)
            VALUES (@now, @Actor, @Action, @Function, @Version, @revision, @Reason, @Detail)
            """,
            new { now, entry.Actor, entry.Action, entry.Function, entry.Version, revision, entry.Reason, entry.Detail },
            transaction,
            cancellationToken));
}
