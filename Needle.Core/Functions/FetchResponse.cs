using System.Text.Json;

namespace Needle.Functions;

/// <summary>What a downstream service answered to <see cref="FunctionContext.FetchAsync"/>; the body is read in full (up to the limit).</summary>
public sealed class FetchResponse
{
    private readonly JsonSerializerOptions _json;

    internal FetchResponse(int status, IReadOnlyDictionary<string, string> headers, string text, JsonSerializerOptions json)
    {
        Status = status;
        Headers = headers;
        Text = text;
        _json = json;
    }

    /// <summary>The HTTP status code.</summary>
    public int Status { get; }

    /// <summary>Whether the status is 200 to 299.</summary>
    public bool IsSuccess => Status is >= 200 and <= 299;

    /// <summary>Response headers with lower-case names; repeated headers are joined with <c>, </c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The body as text.</summary>
    public string Text { get; }

    /// <summary>Reads the body as JSON into <typeparamref name="T"/> (web defaults: case-insensitive names). Throws <see cref="JsonException"/> when it does not parse.</summary>
    public T? Json<T>() => JsonSerializer.Deserialize<T>(Text, _json);
}
