using Dapper;
using static Needle.Store.Sql.SqlStatements;

namespace Needle.Store.Sql;

/// <summary>The node table: each node's applied revision and heartbeat, written outside the revision lock.</summary>
internal partial class SqlNeedleStore
{
    public Task ReportNodeAsync(string nodeId, long revision, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        return WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(Command(
                """
                INSERT INTO nodes (node_id, revision, updated_at) VALUES (@nodeId, @revision, @now)
                ON CONFLICT (node_id) DO UPDATE SET revision = excluded.revision, updated_at = excluded.updated_at
                """,
                new { nodeId, revision, now = StoreTime.Format(timeProvider.GetUtcNow()) },
                transaction,
                cancellationToken)),
            cancellationToken);
    }

    public async Task HeartbeatNodeAsync(string nodeId, long revision, string serving, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(serving);

        // One statement, outside the write transaction: a heartbeat must not queue behind (or hold up) the writers
        // that the revision lock serialises, and the upsert is atomic on its own.
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO nodes (node_id, revision, updated_at, serving) VALUES (@nodeId, @revision, @now, @serving)
            ON CONFLICT (node_id) DO UPDATE SET revision = excluded.revision, updated_at = excluded.updated_at, serving = excluded.serving
            """,
            new { nodeId, revision, serving, now = StoreTime.Format(timeProvider.GetUtcNow()) },
            cancellationToken: cancellationToken));
    }

    public async Task<int> ForgetNodesAsync(DateTimeOffset reportedBefore, CancellationToken cancellationToken = default)
    {
        // Times are ISO text of one fixed width (StoreTime), so text order is time order.
        await using var connection = await dialect.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM nodes WHERE updated_at < @cutoff", new { cutoff = StoreTime.Format(reportedBefore) }, cancellationToken: cancellationToken));
    }

    public async Task<bool> ForgetNodeAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        await using var connection = await dialect.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM nodes WHERE node_id = @nodeId", new { nodeId }, cancellationToken: cancellationToken)) > 0;
    }

    public Task<IReadOnlyList<NodeRecord>> ListNodesAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<NodeRecord>>(
            async (connection, transaction) =>
            {
                var rows = await connection.QueryAsync<NodeRow>(Command(
                    $"SELECT {NodeRow.Columns} FROM nodes ORDER BY node_id", null, transaction, cancellationToken));
                return rows.Select(row => row.ToRecord()).ToList();
            },
            cancellationToken);
}
