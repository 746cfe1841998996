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

    public async Task<string?> HeartbeatNodeAsync(string nodeId, long revision, string serving, string instance, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(serving);
        ArgumentNullException.ThrowIfNull(instance);

        // Outside the write transaction: a heartbeat must not queue behind (or hold up) the writers that the revision
        // lock serialises. The read of the previous writer and the upsert need not be atomic: a shared node id shows
        // at every beat, so one beat's race changes nothing.
        await using var connection = await dialect.OpenAsync(cancellationToken);
        var previous = await connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT instance FROM nodes WHERE node_id = @nodeId", new { nodeId }, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO nodes (node_id, revision, updated_at, serving, instance) VALUES (@nodeId, @revision, @now, @serving, @instance)
            ON CONFLICT (node_id) DO UPDATE SET revision = excluded.revision, updated_at = excluded.updated_at, serving = excluded.serving, instance = excluded.instance
            """,
            new { nodeId, revision, serving, instance, now = StoreTime.Format(timeProvider.GetUtcNow()) },
            cancellationToken: cancellationToken));
        return string.IsNullOrEmpty(previous) ? null : previous;
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
