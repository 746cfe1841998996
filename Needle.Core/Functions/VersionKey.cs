using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Needle.Functions;

/// <summary>
/// Names one version of one function: <c>name@number</c>, as the version response header, logs, metrics and the
/// console show it. Use it instead of building or splitting the text by hand.
/// </summary>
/// <param name="Name">The function name.</param>
/// <param name="Number">The version number.</param>
public readonly record struct VersionKey(string Name, int Number) : ISpanFormattable
{
    /// <summary>The separator between name and number.</summary>
    public const char Separator = '@';

    /// <summary>The key as text: <c>name@number</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}{Separator}{Number}");

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite(CultureInfo.InvariantCulture, $"{Name}{Separator}{Number}", out charsWritten);

    /// <summary>Reads <c>name@number</c>; throws <see cref="FormatException"/> naming the text when it is not one.</summary>
    /// <param name="text">The text to read.</param>
    public static VersionKey Parse(string text) =>
        TryParse(text, out var key) ? key : throw new FormatException($"'{text}' is not a version key; expected name@number, for example hello@3.");

    /// <summary>Reads <c>name@number</c>: a valid function name, <c>@</c>, and a positive number.</summary>
    /// <param name="text">The text to read.</param>
    /// <param name="key">The key read, when the text is one.</param>
    /// <returns>Whether <paramref name="text"/> is a version key.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out VersionKey key)
    {
        key = default;
        var at = text?.LastIndexOf(Separator) ?? -1;
        if (at <= 0
            || !FunctionNames.IsValid(text![..at])
            || !int.TryParse(text.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number <= 0)
        {
            return false;
        }

        key = new VersionKey(text[..at], number);
        return true;
    }
}
