namespace Needle.Store;

/// <summary>An audit event to append.</summary>
/// <param name="Actor">Who.</param>
/// <param name="Action">What, for example <c>deploy</c> or <c>deploy-failed</c>.</param>
/// <param name="Function">The function, if any.</param>
/// <param name="Version">The version, if any.</param>
/// <param name="Reason">Why, when given.</param>
/// <param name="Detail">More detail (for a failed deploy, the diagnostics).</param>
public sealed record AuditEntry(string Actor, string Action, string? Function, int? Version, string? Reason, string? Detail)
{
    /// <summary>Whether <paramref name="recorded"/> is this event again: the same actor, action, function, version and detail.</summary>
    /// <param name="recorded">An event already in the audit log.</param>
    public bool Repeats(AuditEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return recorded.Actor == Actor && recorded.Action == Action && recorded.Function == Function
            && recorded.Version == Version && recorded.Detail == Detail;
    }
}
