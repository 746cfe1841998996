namespace Needle.Client;

/// <summary>A parse or compile message about a function's source.</summary>
/// <param name="Message">What is wrong.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Severity"><c>error</c> or <c>warning</c>.</param>
/// <param name="Code">The compiler's code (C#: <c>CS0103</c>), when there is one.</param>
public sealed record Diagnostic(string Message, int Line, int Column, string Severity, string? Code = null);
