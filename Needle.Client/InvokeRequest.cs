using System.Text.Json.Nodes;

namespace Needle.Client;

/// <summary>A sample request for a test invocation.</summary>
public sealed record InvokeRequest
{
    /// <summary>The method; the function's first when left out.</summary>
    public string? Method { get; init; }

    /// <summary>The path under the function prefix, when the route has parameters to fill.</summary>
    public string? Path { get; init; }

    /// <summary>Query values.</summary>
    public IReadOnlyDictionary<string, string>? Query { get; init; }

    /// <summary>Request headers.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>A JSON body.</summary>
    public JsonNode? Body { get; init; }
}
