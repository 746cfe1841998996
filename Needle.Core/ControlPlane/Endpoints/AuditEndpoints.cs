using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Needle.Nodes;
using Needle.Store;

namespace Needle.ControlPlane.Endpoints;

/// <summary>The audit log and the nodes' convergence.</summary>
internal static class AuditEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/audit", ListAuditAsync).WithName("NeedleAudit").WithSummary("The audit log, newest first.");
        api.MapGet("/nodes", ListNodesAsync).WithName("NeedleNodes")
            .WithSummary("Every node: its revision, heartbeat age, live or gone, and the versions it serves of each function.");
    }

    private static async Task<Ok<IReadOnlyList<AuditEvent>>> ListAuditAsync(string? function, int? limit, long? before, INeedleStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAuditAsync(new AuditQuery(function, Math.Clamp(limit ?? 100, 1, 1000), before), cancellationToken));

    private static async Task<Ok<IReadOnlyList<NeedleNode>>> ListNodesAsync(INeedleNodes nodes, CancellationToken cancellationToken) =>
        TypedResults.Ok(await nodes.ListAsync(cancellationToken));
}
