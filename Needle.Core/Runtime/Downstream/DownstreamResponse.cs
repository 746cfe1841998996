namespace Needle.Runtime.Downstream;

/// <summary>What a downstream service answered; the body is read in full (up to the limit) as text.</summary>
internal sealed record DownstreamResponse(
    int Status,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string Body);
