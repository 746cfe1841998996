using System.Globalization;
using Needle.Store;

namespace Needle.ControlPlane;

/// <summary>
/// What the audit trail says about a deploy or a release change. The wording lives here, not in a store, so every
/// store dialect records the same text.
/// </summary>
internal static class ReleaseAudit
{
    /// <summary>A deploy's detail: <c>activated</c>, <c>canary at W%</c>, or none when the version does not serve yet.</summary>
    public static string? Deployed(bool activated, CanaryPlacement? canary) =>
        activated ? "activated"
        : canary is not null ? string.Create(CultureInfo.InvariantCulture, $"canary at {canary.Weight}%")
        : null;

    /// <summary>A release change's detail: <c>stable S</c>, or <c>stable S, canary C at W%</c>.</summary>
    public static string Describe(ReleaseChange change) =>
        change.CanaryVersion is { } canary
            ? string.Create(CultureInfo.InvariantCulture, $"stable {change.StableVersion}, canary {canary} at {change.CanaryWeight}%")
            : string.Create(CultureInfo.InvariantCulture, $"stable {change.StableVersion}");

    /// <summary>The change with its audit detail filled in.</summary>
    public static ReleaseChange Described(this ReleaseChange change) => change with { AuditDetail = Describe(change) };
}
