using Dapper;
using static Needle.Store.Sql.SqlStatements;

namespace Needle.Store.Sql;

/// <summary>The cluster's published health counts: written and read beside the releases, never under their lock.</summary>
internal partial class SqlNeedleStore
{
    public async Task PublishHealthAsync(HealthPublication publication, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publication);
        ArgumentException.ThrowIfNullOrWhiteSpace(publication.NodeId);
        ArgumentNullException.ThrowIfNull(publication.Windows);
        foreach (var window in publication.Windows)
        {
            if (window.NodeId != publication.NodeId)
            {
                throw new ArgumentException($"A slice of node '{window.NodeId}' is in the publication of node '{publication.NodeId}'.", nameof(publication));
            }

            if (window.To < window.From)
            {
                throw new ArgumentException($"The slice of {window.Function}@{window.Version} ends ({window.To:O}) before it starts ({window.From:O}).", nameof(publication));
            }
        }

        var rows = publication.Windows.Select(w => new
        {
            w.NodeId,
            w.Function,
            w.Version,
            From = StoreTime.Format(w.From),
            To = StoreTime.Format(w.To),
            w.Requests,
            w.Errors,
            w.ColdStarts,
            w.Latency,
        }).ToList();
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var transaction = await dialect.BeginSideWriteAsync(connection, cancellationToken);
        var prune = StoreTime.Format(publication.PruneBefore);
        await connection.ExecuteAsync(Command(
            """
            DELETE FROM health_windows WHERE to_at < @prune;
            DELETE FROM health_nodes WHERE published_at < @prune;
            INSERT INTO health_nodes (node_id, published_at) VALUES (@nodeId, @at)
            ON CONFLICT (node_id) DO UPDATE SET published_at = excluded.published_at
            """,
            new { prune, nodeId = publication.NodeId, at = StoreTime.Format(publication.At) },
            transaction,
            cancellationToken));
        if (rows.Count > 0)
        {
            await connection.ExecuteAsync(Command(
                """
                INSERT INTO health_windows (node_id, function, version, from_at, to_at, requests, errors, cold_starts, latency)
                VALUES (@NodeId, @Function, @Version, @From, @To, @Requests, @Errors, @ColdStarts, @Latency)
                ON CONFLICT (node_id, function, version, to_at) DO UPDATE SET
                  from_at = excluded.from_at, requests = excluded.requests, errors = excluded.errors,
                  cold_starts = excluded.cold_starts, latency = excluded.latency
                """,
                rows,
                transaction,
                cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public Task<PublishedHealth> ReadHealthAsync(DateTimeOffset since, DateTimeOffset publishedSince, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async (connection, transaction) =>
            {
                var live = StoreTime.Format(publishedSince);
                var nodes = await connection.QueryAsync<(string NodeId, string PublishedAt)>(Command(
                    "SELECT node_id, published_at FROM health_nodes WHERE published_at >= @live ORDER BY node_id",
                    new { live },
                    transaction,
                    cancellationToken));
                var windows = await connection.QueryAsync<(string NodeId, string Function, long Version, string From, string To, long Requests, long Errors, long ColdStarts, string Latency)>(Command(
                    """
                    SELECT w.node_id, w.function, w.version, w.from_at, w.to_at, w.requests, w.errors, w.cold_starts, w.latency
                    FROM health_windows w JOIN health_nodes n ON n.node_id = w.node_id
                    WHERE w.to_at > @since AND n.published_at >= @live
                    ORDER BY w.node_id, w.function, w.version, w.to_at
                    """,
                    new { since = StoreTime.Format(since), live },
                    transaction,
                    cancellationToken));
                return new PublishedHealth(
                    nodes.Select(n => new HealthNodeRecord(n.NodeId, StoreTime.Parse(n.PublishedAt))).ToList(),
                    windows.Select(w => new HealthWindowRecord(
                        w.NodeId, w.Function, checked((int)w.Version), StoreTime.Parse(w.From), StoreTime.Parse(w.To), w.Requests, w.Errors, w.ColdStarts, w.Latency)).ToList());
            },
            cancellationToken);
}
