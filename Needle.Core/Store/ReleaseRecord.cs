namespace Needle.Store;

/// <summary>One row of a function's release history: which versions serve it from <see cref="Revision"/> on.</summary>
/// <param name="Id">The row id.</param>
/// <param name="Function">The function name.</param>
/// <param name="StableVersion">The version that serves all traffic not sent to the canary.</param>
/// <param name="CanaryVersion">The canary version, if any.</param>
/// <param name="CanaryWeight">The share of traffic, in percent (0–100), that the canary gets.</param>
/// <param name="Action">What produced the row: <c>deploy</c>, <c>activate</c>, <c>promote</c>, <c>rollback</c> ...</param>
/// <param name="Revision">The store revision this row produced.</param>
/// <param name="Actor">Who made the change.</param>
/// <param name="Reason">Why, when given.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="Pins">User keys that always get the canary.</param>
/// <param name="KillSwitch">When set, the function answers this response instead of running any version.</param>
public sealed record ReleaseRecord(
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
    IReadOnlyList<string>? Pins = null,
    Releases.FallbackResponse? KillSwitch = null)
{
    /// <summary>
    /// A change that starts from this release: the same versions, weight, pins and kill switch, expected to still be
    /// current when written. Callers change only what they move (<c>release.Change(...) with { CanaryVersion = null }</c>),
    /// so nothing (the kill switch above all) is dropped by a change that did not mean to touch it.
    /// </summary>
    /// <param name="action">What the change is, one of <see cref="Releases.ReleaseActions"/>.</param>
    /// <param name="actor">Who makes it.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The change, with <see cref="ReleaseChange.ExpectedReleaseId"/> set to this row.</returns>
    public ReleaseChange Change(string action, string actor, string? reason) =>
        new(Function, StableVersion, CanaryVersion, CanaryWeight, action, actor, reason, Pins, Id, KillSwitch: KillSwitch);
}
