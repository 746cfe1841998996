namespace Needle.Store;

/// <summary>A filter over the audit log.</summary>
/// <param name="Function">Only events of this function.</param>
/// <param name="Limit">At most this many (1–1,000).</param>
/// <param name="BeforeId">Only events older than this id (for paging).</param>
/// <param name="Action">Only events of this action (for example <c>tests-skipped</c>).</param>
public sealed record AuditQuery(string? Function = null, int Limit = 100, long? BeforeId = null, string? Action = null);
