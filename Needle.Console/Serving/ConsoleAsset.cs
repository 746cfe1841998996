namespace Needle.Console.Serving;

/// <summary>One built file of the console, read once from the assembly.</summary>
/// <param name="Path">The path under the console prefix, for example <c>assets/index-3f2a.js</c>.</param>
/// <param name="ContentType">The content type.</param>
/// <param name="Content">The bytes.</param>
/// <param name="Gzip">The bytes gzip-compressed, for text files that shrink.</param>
/// <param name="ETag">A strong validator from the content hash.</param>
internal sealed record ConsoleAsset(string Path, string ContentType, byte[] Content, byte[]? Gzip, string ETag)
{
    /// <summary>Vite names built assets after their content hash, so they never change under the same URL.</summary>
    public bool IsImmutable => Path.StartsWith("assets/", StringComparison.Ordinal);
}
