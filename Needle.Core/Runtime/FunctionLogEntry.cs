namespace Needle.Runtime;

/// <summary>A line a function wrote with <c>ctx.log</c>, as returned by a test invocation.</summary>
/// <param name="Level">The level: <c>info</c>, <c>warn</c> or <c>error</c>.</param>
/// <param name="Message">The text.</param>
/// <param name="At">When, relative to the start of the invocation.</param>
public sealed record FunctionLogEntry(string Level, string Message, TimeSpan At);
