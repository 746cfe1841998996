using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;

namespace Needle.Console.Serving;

/// <summary>
/// The console's built front end, embedded in this assembly under <see cref="ResourcePrefix"/>. Read and compressed
/// once, on first use; the set never changes while the host runs.
/// </summary>
internal sealed class ConsoleAssets
{
    public const string ResourcePrefix = "NeedleConsole/";
    public const string IndexPath = "index.html";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private readonly Lazy<FrozenDictionary<string, ConsoleAsset>> _assets = new(Load);

    public ConsoleAsset? Find(string path) => _assets.Value.GetValueOrDefault(path);

    public ConsoleAsset Index => Find(IndexPath)
        ?? throw new InvalidOperationException("The Needle console's index.html is not embedded in Needle.Console.dll; the front-end build did not run.");

    private static FrozenDictionary<string, ConsoleAsset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var path = resource[ResourcePrefix.Length..];
            var content = Read(assembly, resource);
            var contentType = ContentTypes.TryGetContentType(path, out var type) ? type : "application/octet-stream";
            if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType is "application/javascript" or "text/javascript")
            {
                contentType += "; charset=utf-8";
            }

            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..20] + "\"";
            assets[path] = new ConsoleAsset(path, contentType, content, Compress(path, content), etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    // Compressed once here rather than per request: the files are fixed, and the host need not add response compression.
    private static byte[]? Compress(string path, byte[] content)
    {
        var extension = Path.GetExtension(path);
        if (content.Length < 1024 || extension is not (".js" or ".css" or ".svg" or ".json" or ".map"))
        {
            return null;
        }

        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return memory.Length < content.Length ? memory.ToArray() : null;
    }
}
