using System.Text.Json;
using System.Text.Json.Nodes;
using Needle.Functions;
using Needle.Runtime;

namespace Needle.Quality;

/// <summary><c>name.tests.json</c> beside a watched source: a JSON array of cases in the manifest's format, in one place only.</summary>
internal static class TestCaseFile
{
    /// <summary>What follows the function's name in the file's name.</summary>
    public const string Suffix = ".tests.json";

    private static readonly JsonDocumentOptions Reading = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The file's cases, or <see cref="FunctionValidationException"/> naming the file and where it is wrong.</summary>
    public static JsonArray Parse(string name, string json, FunctionManifest manifest)
    {
        if (manifest.Tests is { Count: > 0 })
        {
            throw new FunctionValidationException($"{name}.json has tests and {name}{Suffix} exists too; keep the cases in one of them.");
        }

        try
        {
            return JsonNode.Parse(json, documentOptions: Reading) as JsonArray
                ?? throw new FunctionValidationException($"{name}{Suffix} must hold a JSON array of test cases.");
        }
        catch (JsonException ex)
        {
            throw new FunctionValidationException($"{name}{Suffix} is not valid JSON: {ex.Message}", (int)(ex.LineNumber ?? -1) + 1, (int)(ex.BytePositionInLine ?? -1) + 1);
        }
    }
}
