namespace Needle.Store;

/// <summary>One audit event.</summary>
/// <param name="Id">The event id, increasing.</param>
/// <param name="At">When.</param>
/// <param name="Actor">Who.</param>
/// <param name="Action">What.</param>
/// <param name="Function">The function, if any.</param>
/// <param name="Version">The version, if any.</param>
/// <param name="Revision">The revision the change produced, if it changed what serves.</param>
/// <param name="Reason">Why.</param>
/// <param name="Detail">More detail.</param>
public sealed record AuditEvent(
    long Id,
    DateTimeOffset At,
    string Actor,
    string Action,
    string? Function,
    int? Version,
    long? Revision,
    string? Reason,
    string? Detail);
