using System.Text.Json;
using System.Text.Json.Serialization;

namespace Needle.Functions;

/// <summary>The one JSON shape of a <see cref="FunctionManifest"/>, shared by the store and the control plane.</summary>
internal static class ManifestJson
{
    /// <summary>
    /// camelCase and without nulls when writing; case-insensitive, with comments and trailing commas allowed when
    /// reading, because people write manifests by hand. Read-only so no caller can change it for everyone.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize(FunctionManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return JsonSerializer.Serialize(manifest, Options);
    }

    public static FunctionManifest Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize<FunctionManifest>(json, Options)
            ?? throw new JsonException("The manifest is null.");
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            PropertyNameCaseInsensitive = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
