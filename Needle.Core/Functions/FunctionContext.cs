using System.Text.Json;
using Needle.Runtime;
using Needle.Runtime.Downstream;

namespace Needle.Functions;

/// <summary>
/// What a C# function may use besides its request, with the same powers as <c>ctx</c> in JavaScript: fetch to the
/// downstream services the host registered and the manifest lists, the host log, the manifest's config, the
/// request id and the invocation's cancellation token. One context per invocation.
/// </summary>
public sealed class FunctionContext
{
    private readonly InvocationContext _invocation;
    private FunctionLogger? _log;

    internal FunctionContext(InvocationContext invocation, JsonElement config, JsonSerializerOptions jsonOptions)
    {
        _invocation = invocation;
        Config = config;
        JsonOptions = jsonOptions;
    }

    /// <summary>The function's name.</summary>
    public string Function => _invocation.Version.Name;

    /// <summary>The version number being invoked.</summary>
    public int Version => _invocation.Version.Number;

    /// <summary>The request id (the ASP.NET trace identifier).</summary>
    public string RequestId => _invocation.RequestId;

    /// <summary>The manifest's <c>config</c>, read-only (an empty object when the manifest has none).</summary>
    public JsonElement Config { get; }

    /// <summary>
    /// The manifest's <c>secrets</c> by name, read-only, with the values the host's configuration held when the version
    /// loaded (<c>context.Secrets["paymentKey"]</c>). Never log or return them.
    /// </summary>
    public IReadOnlyDictionary<string, string> Secrets => _invocation.Secrets;

    /// <summary>Writes to the host log with function, version and request id.</summary>
    public FunctionLogger Log => _log ??= new FunctionLogger(_invocation);

    /// <summary>
    /// Fires at the manifest's timeout or when the caller goes away. Pass it on to everything that takes one: a
    /// function that ignores it is answered with 504 at the limit anyway, and its work is abandoned (and counted).
    /// </summary>
    public CancellationToken CancellationToken => _invocation.CancellationToken;

    /// <summary>What is left of the invocation's time budget.</summary>
    public TimeSpan Remaining => _invocation.Remaining;

    /// <summary>
    /// JSON options of this version (web defaults). Pass them to <see cref="JsonSerializer"/>: the serializer's
    /// default options cache type metadata for the life of the process, which would keep an old version loaded.
    /// </summary>
    public JsonSerializerOptions JsonOptions { get; }

    /// <summary>
    /// Calls a downstream service the host registered: the URL's host is the service name
    /// (<c>http://catalog/items/1</c>), and the manifest must list it in <c>services</c>. The call gets the
    /// invocation's remaining time; the response is read in full, up to the function's fetch limit.
    /// </summary>
    /// <param name="url">An absolute <c>http</c> or <c>https</c> URL whose host names the service.</param>
    /// <param name="options">Method, headers and body; a GET without headers when <see langword="null"/>.</param>
    /// <returns>The response; any status (404, 500 ...) is a response, not an exception.</returns>
    /// <exception cref="FetchException">The call was refused, timed out, could not reach the service, or the response was too large.</exception>
    public async Task<FetchResponse> FetchAsync(string url, FetchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        var headers = new List<KeyValuePair<string, string>>();
        var hasContentType = false;
        if (options?.Headers is { } given)
        {
            foreach (var (name, value) in given)
            {
                hasContentType |= name.Equals("content-type", StringComparison.OrdinalIgnoreCase);
                headers.Add(new(name, value));
            }
        }

        string? body = null;
        switch (options?.Body)
        {
            case null:
                break;
            case string text:
                body = text;
                break;
            case var value:
                body = JsonSerializer.Serialize(value, value.GetType(), JsonOptions);
                if (!hasContentType)
                {
                    headers.Add(new("content-type", "application/json"));
                }

                break;
        }

        DownstreamResponse response;
        try
        {
            var method = string.IsNullOrWhiteSpace(options?.Method) ? "GET" : options.Method.Trim().ToUpperInvariant();
            response = await _invocation.Downstream.FetchAsync(new DownstreamRequest(url, method, headers, body), _invocation).ConfigureAwait(false);
        }
        catch (DownstreamException ex)
        {
            throw new FetchException(ex.Message, ex);
        }

        var responseHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in response.Headers)
        {
            responseHeaders[name.ToLowerInvariant()] = responseHeaders.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
        }

        return new FetchResponse(response.Status, responseHeaders, response.Body, JsonOptions);
    }
}
