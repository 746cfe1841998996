using Microsoft.Extensions.Options;
using Needle.Hosting;
using Needle.Store;

namespace Needle.Nodes;

/// <summary>The node table, each node judged by the age of its heartbeat against <see cref="NeedleOptions.NodeGoneAfter"/>.</summary>
internal sealed class NeedleNodes : INeedleNodes
{
    private readonly INeedleStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _goneAfter;

    public NeedleNodes(INeedleStore store, TimeProvider time, IOptions<NeedleOptions> options)
    {
        _store = store;
        _time = time;
        _goneAfter = options.Value.NodeGoneAfter;
    }

    public async Task<IReadOnlyList<NeedleNode>> ListAsync(CancellationToken cancellationToken = default)
    {
        var rows = await _store.ListNodesAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        return rows.Select(row => ToNode(row, now)).ToList();
    }

    private NeedleNode ToNode(NodeRecord row, DateTimeOffset now)
    {
        // Heartbeats carry the writer's clock: a clock ahead of this one reads as age zero, not as a negative age.
        var age = now - row.UpdatedAt;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return new NeedleNode(row.NodeId, row.Revision, row.UpdatedAt, Math.Round(age.TotalSeconds, 3), age <= _goneAfter, NodeServing.Parse(row.Serving));
    }
}
