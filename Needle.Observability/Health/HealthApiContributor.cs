using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Needle.ControlPlane;
using Needle.Store;

namespace Needle.Observability.Health;

/// <summary>Adds the health windows to the control-plane API, under its prefix and access rules.</summary>
internal sealed class HealthApiContributor : INeedleApiContributor
{
    public void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/health", GetSummary)
            .WithName("NeedleHealth")
            .WithSummary("Health windows of every function: rate, error ratio, p50/p95/p99, last error; of this node (scope=node, the default) or of every live node added up (scope=cluster).");
        api.MapGet("/health/{function}", GetFunction)
            .WithName("NeedleFunctionHealth").WithSummary("Health windows of one function and each of its versions (scope=node or cluster).");
        api.MapGet("/health/{function}/{version:int}", GetVersion)
            .WithName("NeedleVersionHealth").WithSummary("Health windows of one version on this node.");
    }

    private static Results<Ok<HealthSummary>, Ok<ClusterHealthSummary>> GetSummary(string? scope, INeedleHealth health, INeedleClusterHealth cluster) =>
        IsCluster(scope) ? TypedResults.Ok(cluster.GetSummary()) : TypedResults.Ok(health.GetSummary());

    // Unknown names are thrown as Needle's exception: the API group's filter answers them (404) as every endpoint does.
    private static Ok<FunctionHealth> GetFunction(string function, string? scope, INeedleHealth health, INeedleClusterHealth cluster) =>
        TypedResults.Ok((IsCluster(scope) ? cluster.GetFunction(function) : health.GetFunction(function))
            ?? throw new NeedleNotFoundException($"Function '{function}' is not served and had no traffic recently."));

    private static Ok<VersionHealth> GetVersion(string function, int version, INeedleHealth health) =>
        TypedResults.Ok(health.GetVersion(function, version)
            ?? throw new NeedleNotFoundException($"Version {version} of '{function}' is not loaded and had no traffic recently."));

    // An unknown scope is the caller's mistake, answered 400 by the group's filter; it never falls back to a default.
    private static bool IsCluster(string? scope) => scope switch
    {
        null or "node" => false,
        "cluster" => true,
        _ => throw new ArgumentException($"Query parameter 'scope' is '{scope}': it must be 'node' (this node's figures, the default) or 'cluster' (every live node's, added up).", nameof(scope)),
    };
}
