using Microsoft.Extensions.Diagnostics.HealthChecks;
using Needle.Serving;
using Needle.Store;

namespace Needle.Observability.HealthChecks;

/// <summary>
/// Healthy when the store answers, every released version (stable and canary) serves on this node, and the node
/// serves the store's revision; degraded when a version is not served, the node is behind, its PostgreSQL change
/// listener hears no notifications (data <c>listener</c> says why and which option to set), its node id is another
/// process's too (<see cref="ServingCheck.NodeIdConflict"/>), and while the store is
/// unavailable (<see cref="NeedleStoreUnavailableException"/>: the node still serves what it loaded, so it should stay
/// in the load balancer); the registration's failure status when the store fails otherwise. Never throws.
/// </summary>
internal sealed class NeedleHealthCheck : IHealthCheck
{
    private readonly INeedleServingState _state;

    public NeedleHealthCheck(INeedleServingState state)
    {
        _state = state;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ServingCheck check;
        try
        {
            check = await _state.CheckAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NeedleStoreUnavailableException ex)
        {
            return HealthCheckResult.Degraded(
                $"The Needle store cannot be reached (since {ex.Since:u}); serving revision {_state.AppliedRevision}, the last one loaded.",
                ex,
                new Dictionary<string, object>
                {
                    ["node"] = _state.NodeId,
                    ["appliedRevision"] = _state.AppliedRevision,
                    ["storeUnavailableSince"] = ex.Since,
                });
        }
        catch (Exception ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The Needle store cannot be reached.", ex);
        }

        var data = new Dictionary<string, object>
        {
            ["node"] = _state.NodeId,
            ["storeRevision"] = check.StoreRevision,
            ["appliedRevision"] = check.AppliedRevision,
        };
        var problems = new List<string>();
        if (check.AppliedRevision < 0)
        {
            problems.Add("the node has not applied the store yet");
        }
        else if (check.IsBehind)
        {
            problems.Add($"the node serves revision {check.AppliedRevision}, the store is at {check.StoreRevision}");
        }

        if (check.NotServed.Count > 0)
        {
            data["notServed"] = check.NotServed;
            problems.Add($"released versions not served: {string.Join(", ", check.NotServed)}");
        }

        if (check.LoadErrors.Count > 0)
        {
            data["loadErrors"] = check.LoadErrors;
            problems.Add($"versions failed to load: {string.Join(", ", check.LoadErrors.Keys)}");
        }

        // The node serves, but hears of other nodes' changes only at the poll: an operator must fix its configuration.
        if (check.ListenerProblem is { } listener)
        {
            data["listener"] = listener;
            problems.Add(listener);
        }

        if (check.NodeIdConflict is { } other)
        {
            data["nodeIdSharedWith"] = other;
            problems.Add($"another process (instance {other}) uses node id {_state.NodeId} too: give each process its own Needle:NodeId");
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy($"Serving revision {check.AppliedRevision}.", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems) + ".", data: data);
    }
}
