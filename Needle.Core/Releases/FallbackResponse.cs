namespace Needle.Releases;

/// <summary>
/// What a function answers while its kill switch is on: a fixed response, sent without running any version.
/// </summary>
/// <param name="Status">The HTTP status (100–599). A kill switch usually answers 503 or a 200 with a degraded body.</param>
/// <param name="Body">The body, sent as is.</param>
/// <param name="ContentType">The body's content type. Default: <c>application/json; charset=utf-8</c>.</param>
/// <param name="Headers">Extra response headers.</param>
public sealed record FallbackResponse(int Status, string? Body = null, string? ContentType = null, IReadOnlyDictionary<string, string>? Headers = null);
