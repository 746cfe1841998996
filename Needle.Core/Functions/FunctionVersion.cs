using System.Text.Json.Serialization;

namespace Needle.Functions;

/// <summary>One immutable version of a function: its source and manifest as deployed.</summary>
/// <param name="Name">The function name (serialized as <c>function</c>, as the API has always answered).</param>
/// <param name="Number">The version number, 1 for the first deploy of the function and one more for each deploy after it.</param>
/// <param name="Source">The source text.</param>
/// <param name="Manifest">The manifest deployed with the source.</param>
/// <param name="ContentHash">SHA-256 (lower-case hex) of the source and the manifest; equal hashes mean equal content.</param>
/// <param name="Author">Who deployed it.</param>
/// <param name="CreatedAt">When it was deployed.</param>
/// <param name="ParentNumber">The version this one patches, if it is a patch.</param>
public sealed record FunctionVersion(
    [property: JsonPropertyName("function")] string Name,
    int Number,
    string Source,
    FunctionManifest Manifest,
    string ContentHash,
    string Author,
    DateTimeOffset CreatedAt,
    int? ParentNumber)
{
    /// <summary>The runtime named by the manifest, <c>javascript</c> when it names none.</summary>
    public string Runtime => string.IsNullOrEmpty(Manifest.Runtime) ? FunctionRuntimes.JavaScript : Manifest.Runtime;

    /// <summary>The version's key: its function name and number.</summary>
    [JsonIgnore]
    public VersionKey Key => new(Name, Number);

    /// <summary>The version's label, <c>name@number</c> (<see cref="VersionKey"/>), as it appears in the version response header (made once: it is sent with every response).</summary>
    public string Label { get; } = new VersionKey(Name, Number).ToString();
}
