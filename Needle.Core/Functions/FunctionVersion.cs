namespace Needle.Functions;

/// <summary>One immutable version of a function: its source and manifest as deployed.</summary>
/// <param name="Function">The function name.</param>
/// <param name="Number">The version number, 1 for the first deploy of the function and one more for each deploy after it.</param>
/// <param name="Source">The source text.</param>
/// <param name="Manifest">The manifest deployed with the source.</param>
/// <param name="ContentHash">SHA-256 (lower-case hex) of the source and the manifest; equal hashes mean equal content.</param>
/// <param name="Author">Who deployed it.</param>
/// <param name="CreatedAt">When it was deployed.</param>
/// <param name="ParentNumber">The version this one patches, if it is a patch.</param>
public sealed record FunctionVersion(
    string Function,
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

    /// <summary>The version's label, <c>name@number</c>, as it appears in the version response header (made once: it is sent with every response).</summary>
    public string Label { get; } = $"{Function}@{Number}";
}
