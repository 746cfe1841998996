using System.Text.Json.Nodes;

namespace Needle.Client;

/// <summary>A version's source and manifest (<c>GET /functions/{name}/versions/{n}</c>).</summary>
/// <param name="Function">The function.</param>
/// <param name="Number">The version number.</param>
/// <param name="Source">The source as deployed.</param>
/// <param name="Manifest">The manifest with its defaults filled in.</param>
/// <param name="ContentHash">The content hash a patch names as its base.</param>
public sealed record VersionDetail(string Function, int Number, string Source, JsonObject? Manifest, string ContentHash);
