using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Needle.Runtime;

/// <summary>
/// The request a function sees (<c>req</c> in JavaScript). It wraps the ASP.NET request's own collections,
/// so building one copies nothing.
/// </summary>
public sealed class FunctionRequest
{
    /// <summary>The HTTP method, upper case.</summary>
    public required string Method { get; init; }

    /// <summary>The request path, for example <c>/fn/users/42</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The route parameters of the function's route template.</summary>
    public RouteValueDictionary RouteValues { get; init; } = new();

    /// <summary>The query string parameters.</summary>
    public IQueryCollection Query { get; init; } = QueryCollection.Empty;

    /// <summary>The request headers.</summary>
    public IHeaderDictionary Headers { get; init; } = new HeaderDictionary();

    /// <summary>The request body as text, or <see langword="null"/> when there is none.</summary>
    public string? Body { get; init; }

    /// <summary>The body's content type, if given.</summary>
    public string? ContentType { get; init; }

    /// <summary>Whether the body is JSON by its content type (<c>application/json</c> or <c>+json</c>).</summary>
    public bool IsJson => ContentType is { } type
        && (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Contains("+json", StringComparison.OrdinalIgnoreCase));
}
