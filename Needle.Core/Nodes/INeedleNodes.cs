namespace Needle.Nodes;

/// <summary>
/// Which nodes of the cluster serve what: the store's node table, each node judged live or gone by its heartbeat
/// (<c>NeedleOptions.NodeGoneAfter</c>). What <c>GET /nodes</c> answers; for packages that judge the whole cluster
/// (health over the live nodes, convergence). Reads the store on every call, so keep it off the request path.
/// </summary>
public interface INeedleNodes
{
    /// <summary>Every node that ever reported, ordered by id, live or gone as of now.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The nodes; throws when the store cannot be reached.</returns>
    Task<IReadOnlyList<NeedleNode>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The ids of the live nodes, ordered.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The ids; throws when the store cannot be reached.</returns>
    async Task<IReadOnlyList<string>> ListLiveNodeIdsAsync(CancellationToken cancellationToken = default) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).Where(n => n.Live).Select(n => n.NodeId).ToList();
}
