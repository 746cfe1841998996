namespace Needle.Client;

/// <summary>One function with all its versions (<c>GET /functions/{name}</c>).</summary>
/// <param name="Function">The function and its release.</param>
/// <param name="Versions">Its versions, oldest first.</param>
public sealed record FunctionDetail(FunctionSummary Function, IReadOnlyList<VersionSummary> Versions);
