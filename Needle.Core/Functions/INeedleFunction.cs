using Needle.Runtime;

namespace Needle.Functions;

/// <summary>
/// The contract of a C# function: the source holds exactly one public, non-abstract class that implements this
/// interface and has a public parameterless constructor. Needle creates one instance per version and calls it
/// for every request the version serves, concurrently.
/// </summary>
/// <example>
/// <code>
/// public sealed class Greeter : INeedleFunction
/// {
///     public Task&lt;object?&gt; InvokeAsync(FunctionRequest request, FunctionContext context) =&gt;
///         Task.FromResult&lt;object?&gt;(new { message = $"Hello, {request.RouteValues["name"]}!" });
/// }
/// </code>
/// </example>
public interface INeedleFunction
{
    /// <summary>Handles one request.</summary>
    /// <param name="request">The request: method, path, route values, query, headers and body.</param>
    /// <param name="context">What the function may use besides the request: fetch, log, config, request id, cancellation.</param>
    /// <returns>
    /// <see langword="null"/> for 204; a <see cref="FunctionResponse"/> sent as it is; a <see cref="string"/> sent as
    /// <c>text/plain</c> with 200; anything else serialised as JSON (web defaults: camelCase) with 200.
    /// </returns>
    Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context);
}
