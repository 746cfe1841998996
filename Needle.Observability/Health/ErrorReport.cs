namespace Needle.Observability.Health;

/// <summary>The last failed invocation of a version or function.</summary>
/// <param name="Message">The message the caller was shown (no stack trace, no host detail), cut at 300 characters.</param>
/// <param name="At">When it happened.</param>
/// <param name="Outcome">The failure: <c>error</c>, <c>timeout</c>, <c>limit_exceeded</c>, <c>invalid_response</c> or <c>overloaded</c>.</param>
public sealed record ErrorReport(string Message, DateTimeOffset At, string Outcome);
