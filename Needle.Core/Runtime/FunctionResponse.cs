namespace Needle.Runtime;

/// <summary>What a function answered: a status, headers and a body as text.</summary>
public sealed class FunctionResponse
{
    /// <summary>The HTTP status code. 200 when the function returned a plain value.</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>Response headers the function set.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The body, already serialised (JSON for objects and arrays), or <see langword="null"/> for none.</summary>
    public string? Body { get; init; }

    /// <summary>The body's content type, unless a header sets it.</summary>
    public string? ContentType { get; init; }
}
