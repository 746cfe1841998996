namespace Needle.Client;

/// <summary>What a deploy produced.</summary>
/// <param name="Function">The function.</param>
/// <param name="Version">The new version's number (or the unchanged one's).</param>
/// <param name="ContentHash">Its content hash.</param>
/// <param name="Active">Whether it serves (stable or canary) now.</param>
/// <param name="Revision">The store revision the deploy produced; nodes serve it once they reach it.</param>
/// <param name="Unchanged">True when the same source and manifest were already the latest version.</param>
/// <param name="Warnings">Compiler warnings of a successful C# compile.</param>
public sealed record DeployResult(string Function, int Version, string ContentHash, bool Active, long Revision, bool Unchanged, IReadOnlyList<Diagnostic> Warnings);
