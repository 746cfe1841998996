using System.Text.Json;
using System.Text.Json.Nodes;

namespace Needle.Cli.Commands;

/// <summary>
/// A function on disk: <c>name.js</c> (JavaScript) or <c>name.cs</c> (C#), with its manifest in <c>name.json</c>
/// beside it or in the file given. The same layout the host's folder watcher reads.
/// </summary>
internal sealed record FunctionFile(string Path, string Name, string Source, JsonObject? Manifest)
{
    public static readonly string[] Extensions = [".js", ".mjs", ".cs"];

    public static FunctionFile Read(string path, string? name = null, string? manifestPath = null)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"'{path}' does not exist.");
        }

        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (!Extensions.Contains(extension))
        {
            throw new UsageException($"'{path}' is not a function: use a .js (JavaScript) or .cs (C#) file.");
        }

        name ??= System.IO.Path.GetFileNameWithoutExtension(path).ToLowerInvariant();
        manifestPath ??= System.IO.Path.ChangeExtension(path, ".json");
        var manifest = File.Exists(manifestPath) ? ReadManifest(manifestPath) : null;
        if (extension == ".cs" && manifest?["runtime"] is null)
        {
            manifest ??= [];
            manifest["runtime"] = "csharp";
        }

        return new FunctionFile(path, name, File.ReadAllText(path), manifest);
    }

    private static JsonObject ReadManifest(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new UsageException($"{path}: a manifest is a JSON object.");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: the manifest is not valid JSON: {e.Message}");
        }
    }
}
