using System.Text.Json.Serialization;

namespace Needle.Runtime;

/// <summary>A problem found in a function's source or manifest, with where it is.</summary>
/// <param name="Message">What is wrong.</param>
/// <param name="Line">The 1-based line in the source, or 0 when it is not about a place in the source.</param>
/// <param name="Column">The 1-based column, or 0.</param>
/// <param name="Severity"><c>error</c> or <c>warning</c>.</param>
public sealed record FunctionDiagnostic(string Message, int Line = 0, int Column = 0, string Severity = "error")
{
    /// <summary>The compiler's id of the problem, for example <c>CS0168</c>; <see langword="null"/> (and left out of JSON) when Needle found it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Code { get; init; }

    /// <inheritdoc />
    public override string ToString() => Line > 0 ? $"({Line},{Column}): {Severity}: {Message}" : $"{Severity}: {Message}";
}
