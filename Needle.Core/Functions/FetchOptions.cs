namespace Needle.Functions;

/// <summary>What <see cref="FunctionContext.FetchAsync"/> sends besides the URL (<c>init</c> of <c>ctx.fetch</c> in JavaScript).</summary>
public sealed class FetchOptions
{
    /// <summary>The HTTP method. Default: <c>GET</c>.</summary>
    public string Method { get; init; } = "GET";

    /// <summary>Request headers. Default: none.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>
    /// The body: a <see cref="string"/> is sent as it is (<c>text/plain</c> unless a <c>content-type</c> header is
    /// given); anything else is serialised as JSON with <c>content-type: application/json</c>. Default: none.
    /// </summary>
    public object? Body { get; init; }
}
