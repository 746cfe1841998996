using System.Text.Json;

namespace Needle.Client;

/// <summary>Which versions serve a function: one row of its release history.</summary>
/// <param name="Id">The release row's id (optimistic concurrency).</param>
/// <param name="Function">The function.</param>
/// <param name="StableVersion">The stable version.</param>
/// <param name="CanaryVersion">The canary version, if any.</param>
/// <param name="CanaryWeight">The canary's share of traffic in percent.</param>
/// <param name="Action">What made this row: deploy, canary, promote, abort, rollback, kill, patch ...</param>
/// <param name="Revision">The store revision this change produced.</param>
/// <param name="Actor">Who.</param>
/// <param name="Reason">Why.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="Pins">User keys that always get the canary.</param>
/// <param name="KillSwitch">The kill switch's fallback response while it is on.</param>
public sealed record Release(
    long Id,
    string Function,
    int StableVersion,
    int? CanaryVersion,
    double CanaryWeight,
    string Action,
    long Revision,
    string Actor,
    string? Reason,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string>? Pins,
    JsonElement? KillSwitch);
