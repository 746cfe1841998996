using System.Text.Json;
using System.Text.Json.Serialization;

namespace Needle.Functions;

/// <summary>How manifests are read and written as JSON: camelCase, nulls left out, comments and trailing commas allowed.</summary>
internal static class ManifestJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static string Serialize(FunctionManifest manifest) => JsonSerializer.Serialize(manifest, Options);

    public static FunctionManifest Deserialize(string json) =>
        JsonSerializer.Deserialize<FunctionManifest>(json, Options) ?? throw new JsonException("The manifest is empty.");
}
