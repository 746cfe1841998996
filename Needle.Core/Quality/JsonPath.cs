using System.Globalization;
using System.Text.Json.Nodes;

namespace Needle.Quality;

/// <summary>
/// The JSON paths a case may check: <c>$</c> followed by <c>.name</c>, <c>['name']</c> (or <c>["name"]</c>) and
/// <c>[index]</c> steps, nothing else (no wildcards, filters or slices), so a path names exactly one value or none.
/// </summary>
internal sealed class JsonPath
{
    private readonly object[] _steps;

    private JsonPath(string text, object[] steps)
    {
        Text = text;
        _steps = steps;
    }

    /// <summary>The path as written.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>, or gives <see langword="null"/> and what is wrong at which character.</summary>
    public static JsonPath? TryParse(string text, out string? error)
    {
        error = null;
        if (!text.StartsWith('$'))
        {
            error = "a JSON path starts with '$'";
            return null;
        }

        var steps = new List<object>();
        var i = 1;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                var start = ++i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-' or '$'))
                {
                    i++;
                }

                if (i == start)
                {
                    error = $"a name is expected after '.' at character {start + 1}";
                    return null;
                }

                steps.Add(text[start..i]);
            }
            else if (text[i] == '[' && i + 1 < text.Length && text[i + 1] is '\'' or '"')
            {
                var quote = text[i + 1];
                var end = text.IndexOf(quote, i + 2);
                if (end < 0 || end + 1 >= text.Length || text[end + 1] != ']')
                {
                    error = $"the quoted name at character {i + 1} is not closed with {quote}]";
                    return null;
                }

                steps.Add(text[(i + 2)..end]);
                i = end + 2;
            }
            else if (text[i] == '[')
            {
                var end = text.IndexOf(']', i);
                if (end < 0 || !int.TryParse(text.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    error = $"'[' at character {i + 1} needs an index (0, 1, ...) or a quoted name, then ']'";
                    return null;
                }

                steps.Add(index);
                i = end + 1;
            }
            else
            {
                error = $"unexpected '{text[i]}' at character {i + 1} (use .name, ['name'] or [index])";
                return null;
            }
        }

        return new JsonPath(text, [.. steps]);
    }

    /// <summary>Finds the value the path names in <paramref name="root"/>; <see langword="false"/> when there is none.</summary>
    public bool TryFind(JsonNode? root, out JsonNode? value)
    {
        value = root;
        foreach (var step in _steps)
        {
            if (step is string name && value is JsonObject obj && obj.TryGetPropertyValue(name, out var child))
            {
                value = child;
            }
            else if (step is int index && value is JsonArray array && index < array.Count)
            {
                value = array[index];
            }
            else
            {
                value = null;
                return false;
            }
        }

        return true;
    }
}
