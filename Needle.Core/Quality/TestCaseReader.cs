using System.Text.Json;
using System.Text.Json.Nodes;
using Needle.Runtime;

namespace Needle.Quality;

/// <summary>Reads the fields of one test case for <see cref="TestCaseParser"/>, recording each problem with the case and the field.</summary>
internal sealed class TestCaseReader(string where, List<FunctionDiagnostic> problems)
{
    public static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private readonly int _before = problems.Count;

    public bool Ok => problems.Count == _before;

    public void Fail(string field, string message) =>
        problems.Add(new FunctionDiagnostic(field.Length == 0 ? $"{where}: {message}." : $"{where}: {field}: {message}."));

    public void Known(JsonObject obj, string prefix, string[] fields)
    {
        foreach (var (key, _) in obj)
        {
            if (!fields.Contains(key, StringComparer.Ordinal))
            {
                Fail(prefix + key, $"unknown field (known: {string.Join(", ", fields)})");
            }
        }
    }

    public JsonObject? Object(JsonObject obj, string key, string field)
    {
        var node = obj[key];
        if (node is null or JsonObject)
        {
            return (JsonObject?)node;
        }

        Fail(field, "a JSON object");
        return null;
    }

    public string? String(JsonObject obj, string key, string field) =>
        Value<string>(obj, key, field, JsonValueKind.String, "a string");

    public bool? Bool(JsonObject obj, string key, string field) => obj[key] switch
    {
        null => null,
        var n when n.GetValueKind() is JsonValueKind.True or JsonValueKind.False => n.GetValue<bool>(),
        _ => Failed<bool?>(field, "true or false"),
    };

    public int? Int(JsonObject obj, string key, string field) => obj[key] switch
    {
        null => null,
        JsonValue n when n.GetValueKind() == JsonValueKind.Number && n.TryGetValue<int>(out var i) => i,
        JsonValue n when n.GetValueKind() == JsonValueKind.Number && double.IsInteger(n.GetValue<double>()) && n.GetValue<double>() is >= int.MinValue and <= int.MaxValue => (int)n.GetValue<double>(),
        _ => Failed<int?>(field, "a whole number"),
    };

    public IReadOnlyDictionary<string, string> Strings(JsonObject obj, string key, string field)
    {
        var node = obj[key];
        if (node is null)
        {
            return Empty;
        }

        if (node is JsonObject map && map.All(p => p.Value?.GetValueKind() == JsonValueKind.String))
        {
            return map.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        }

        Fail(field, "an object of string values");
        return Empty;
    }

    private T? Value<T>(JsonObject obj, string key, string field, JsonValueKind kind, string what)
    {
        var node = obj[key];
        return node is null ? default : node.GetValueKind() == kind ? node.GetValue<T>() : Failed<T>(field, what);
    }

    private T? Failed<T>(string field, string what)
    {
        Fail(field, what);
        return default;
    }
}
