namespace Needle.Client;

/// <summary>Who did what, when and why (<c>GET /audit</c>).</summary>
/// <param name="Id">The event's id.</param>
/// <param name="At">When.</param>
/// <param name="Actor">Who.</param>
/// <param name="Action">What: deploy, canary, promote, rollback, patch, kill ...</param>
/// <param name="Function">The function, if the action had one.</param>
/// <param name="Version">The version, if the action had one.</param>
/// <param name="Revision">The store revision it produced.</param>
/// <param name="Reason">Why.</param>
/// <param name="Detail">More about it.</param>
public sealed record AuditEvent(long Id, DateTimeOffset At, string Actor, string Action, string? Function, int? Version, long? Revision, string? Reason, string? Detail);
