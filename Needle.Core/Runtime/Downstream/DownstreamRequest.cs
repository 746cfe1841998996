namespace Needle.Runtime.Downstream;

/// <summary>A <c>ctx.fetch</c> call: URL, method, headers and an optional text body.</summary>
internal sealed record DownstreamRequest(
    string Url,
    string Method,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string? Body);
