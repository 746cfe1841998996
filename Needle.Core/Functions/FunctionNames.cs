using System.Text.RegularExpressions;

namespace Needle.Functions;

/// <summary>The rule for function names: 1 to 63 of <c>a-z</c>, <c>0-9</c> and <c>-</c>, not starting or ending with <c>-</c>.</summary>
public static partial class FunctionNames
{
    /// <summary>Whether <paramref name="name"/> is a valid function name.</summary>
    public static bool IsValid(string? name) => name is not null && NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
