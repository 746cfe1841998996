namespace Needle.Quality;

/// <summary>
/// A time a version took a role without its test cases running (<c>skipTests</c>), as the audit trail records it: the
/// API shows it on the version (<c>GET /functions/{name}</c>), the console as a badge. A later passing run changes nothing here.
/// </summary>
/// <param name="At">When.</param>
/// <param name="Actor">Who.</param>
/// <param name="Route">Which way in: <c>deploy</c>, <c>canary</c>, <c>activate</c>, <c>release</c>, <c>promote</c>, <c>plan</c> or <c>patch</c>.</param>
/// <param name="Reason">Why.</param>
/// <param name="AuditId">The <c>tests-skipped</c> audit event.</param>
public sealed record SkippedTests(DateTimeOffset At, string Actor, string Route, string? Reason, long AuditId);
