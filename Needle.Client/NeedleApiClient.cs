using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Needle.Client;

/// <summary>
/// A typed client for Needle's control-plane API (what <c>MapNeedleApi</c> maps). Every call throws
/// <see cref="NeedleApiException"/> when the server refuses it, and <see cref="HttpRequestException"/> when the host
/// cannot be reached.
/// </summary>
public sealed class NeedleApiClient : IDisposable
{
    /// <summary>The header the API key travels in (the host's default <c>ApiKeyHeaderName</c>).</summary>
    public const string ApiKeyHeaderName = "X-Needle-Api-Key";

    /// <summary>The API's path when a URL names only the host.</summary>
    public const string DefaultApiPath = "/needle/api/";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Wraps an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the API's root (ending in <c>/</c>).</summary>
    /// <param name="http">The client.</param>
    /// <param name="ownsHttp">Whether <see cref="Dispose"/> disposes it.</param>
    public NeedleApiClient(HttpClient http, bool ownsHttp = false)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress: the control plane's root, e.g. http://127.0.0.1:5080/needle/api/.", nameof(http));
        }

        _http = http;
        _ownsHttp = ownsHttp;
    }

    /// <summary>The API's root.</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>
    /// A client for the host at <paramref name="url"/>: the API at <see cref="DefaultApiPath"/> when the URL has no path
    /// (<c>http://127.0.0.1:5080</c>), else at the URL's path (<c>https://ops.example/needle/api</c>).
    /// </summary>
    /// <param name="url">The host or the API's root.</param>
    /// <param name="apiKey">The host's API key, for callers that are not local.</param>
    /// <param name="timeout">How long one call may take (30 s when left out).</param>
    /// <returns>The client; dispose it.</returns>
    public static NeedleApiClient Create(Uri url, string? apiKey, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        var http = new HttpClient { BaseAddress = ApiRoot(url), Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            http.DefaultRequestHeaders.Add(ApiKeyHeaderName, apiKey);
        }

        return new NeedleApiClient(http, ownsHttp: true);
    }

    /// <summary>The API's root for a URL, as <see cref="Create"/> finds it.</summary>
    /// <param name="url">The host or the API's root.</param>
    /// <returns>An absolute URL ending in <c>/</c>.</returns>
    public static Uri ApiRoot(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{url}' is not an http or https URL.", nameof(url));
        }

        var path = url.AbsolutePath is "" or "/" ? DefaultApiPath : url.AbsolutePath.TrimEnd('/') + "/";
        return new UriBuilder(url) { Path = path, Query = "" }.Uri;
    }

    /// <summary>All functions with their release and what this node serves.</summary>
    public Task<IReadOnlyList<FunctionSummary>> ListFunctionsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<FunctionSummary>>(HttpMethod.Get, "functions", null, cancellationToken);

    /// <summary>One function with its versions.</summary>
    public Task<FunctionDetail> GetFunctionAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync<FunctionDetail>(HttpMethod.Get, $"functions/{Escape(name)}", null, cancellationToken);

    /// <summary>A version's source, manifest and hash.</summary>
    public Task<VersionDetail> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default) =>
        SendAsync<VersionDetail>(HttpMethod.Get, $"functions/{Escape(name)}/versions/{version}", null, cancellationToken);

    /// <summary>Deploys a new version (201), or finds it unchanged.</summary>
    public Task<DeployResult> DeployAsync(string name, DeployRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<DeployResult>(HttpMethod.Post, $"functions/{Escape(name)}/versions", request, cancellationToken);

    /// <summary>Sets the canary's weight, version or pins.</summary>
    public Task<Release> SetCanaryAsync(string name, CanaryRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<Release>(HttpMethod.Post, $"functions/{Escape(name)}/canary", request, cancellationToken);

    /// <summary>Makes the canary the stable version.</summary>
    public Task<Release> PromoteAsync(string name, string? reason, CancellationToken cancellationToken = default) =>
        PromoteAsync(name, reason, skipTests: false, cancellationToken);

    /// <summary>Makes the canary the stable version; <paramref name="skipTests"/> (with a reason) goes around its test cases, audited.</summary>
    public Task<Release> PromoteAsync(string name, string? reason, bool skipTests, CancellationToken cancellationToken = default) =>
        SendAsync<Release>(HttpMethod.Post, $"functions/{Escape(name)}/promote", new { reason, skipTests }, cancellationToken);

    /// <summary>Makes an existing version the stable one; <paramref name="skipTests"/> (with a reason) goes around its test cases, audited.</summary>
    public Task<Release> ActivateAsync(string name, int version, string? reason, bool skipTests = false, CancellationToken cancellationToken = default) =>
        SendAsync<Release>(HttpMethod.Post, $"functions/{Escape(name)}/versions/{version}/activate", new { reason, skipTests }, cancellationToken);

    /// <summary>Drops the canary; the stable version serves everyone.</summary>
    public Task<Release> AbortAsync(string name, string? reason, CancellationToken cancellationToken = default) =>
        SendAsync<Release>(HttpMethod.Post, $"functions/{Escape(name)}/abort", new { reason }, cancellationToken);

    /// <summary>Puts the previous stable version (or <paramref name="to"/>) back.</summary>
    public Task<JsonElement> RollbackAsync(string name, int? to, string? reason, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"functions/{Escape(name)}/rollback", new { to, reason }, cancellationToken);

    /// <summary>Kill switch on: every request gets the fallback response.</summary>
    public Task<Release> KillAsync(string name, int status, string? body, string? reason, CancellationToken cancellationToken = default) =>
        SendAsync<Release>(HttpMethod.Post, $"functions/{Escape(name)}/kill", new { fallback = new { status, body }, reason }, cancellationToken);

    /// <summary>Kill switch off.</summary>
    public Task<Release> ReviveAsync(string name, string? reason, CancellationToken cancellationToken = default) =>
        SendAsync<Release>(HttpMethod.Delete, $"functions/{Escape(name)}/kill{Query(("reason", reason))}", null, cancellationToken);

    /// <summary>An emergency patch; the answer is the new version (201) or the patch run a job applies (202).</summary>
    public Task<JsonElement> PatchAsync(string name, PatchRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"functions/{Escape(name)}/patches", request, cancellationToken);

    /// <summary>Starts a release plan (Needle.Rollback): the version goes canary through the weights given.</summary>
    public Task<JsonElement> StartPlanAsync(string name, int version, IReadOnlyList<double> steps, TimeSpan stepWait, string? reason, CancellationToken cancellationToken = default) =>
        StartPlanAsync(name, version, steps, stepWait, reason, skipTests: false, cancellationToken);

    /// <summary>Starts a release plan; <paramref name="skipTests"/> (with a reason) goes around the version's test cases at its start and its closing promote, audited.</summary>
    public Task<JsonElement> StartPlanAsync(string name, int version, IReadOnlyList<double> steps, TimeSpan stepWait, string? reason, bool skipTests, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"functions/{Escape(name)}/plans", new { version, steps, stepWaitSeconds = stepWait.TotalSeconds, reason, skipTests }, cancellationToken);

    /// <summary>A function's release history, newest first.</summary>
    public Task<IReadOnlyList<Release>> ListReleasesAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<Release>>(HttpMethod.Get, $"functions/{Escape(name)}/releases", null, cancellationToken);

    /// <summary>The audit log, newest first.</summary>
    public Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string? function = null, int? limit = null, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<AuditEvent>>(HttpMethod.Get, "audit" + Query(("function", function), ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture))), null, cancellationToken);

    /// <summary>Every node: its revision, heartbeat age, live or gone, and the versions it serves of each function.</summary>
    public Task<IReadOnlyList<NodeStatus>> ListNodesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<NodeStatus>>(HttpMethod.Get, "nodes", null, cancellationToken);

    /// <summary>The ids of the nodes that are live now (heartbeat within the host's <c>NodeGoneAfter</c>).</summary>
    public async Task<IReadOnlyList<string>> ListLiveNodeIdsAsync(CancellationToken cancellationToken = default) =>
        (await ListNodesAsync(cancellationToken).ConfigureAwait(false)).Where(n => n.Live).Select(n => n.NodeId).ToList();

    /// <summary>Runs a version with a sample request; it takes no traffic.</summary>
    public Task<InvokeResult> InvokeAsync(string name, int version, InvokeRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<InvokeResult>(HttpMethod.Post, $"functions/{Escape(name)}/versions/{version}/invoke", request, cancellationToken);

    /// <summary>
    /// Runs a version's test cases, or <paramref name="tests"/> instead (the manifest's format), and returns each result;
    /// the version takes no traffic. A failing case is a result, not an exception.
    /// </summary>
    public Task<TestRunResult> TestAsync(string name, int version, JsonArray? tests = null, CancellationToken cancellationToken = default) =>
        SendAsync<TestRunResult>(HttpMethod.Post, $"functions/{Escape(name)}/versions/{version}/test", new { tests }, cancellationToken);

    /// <summary>Every function's health windows, or null when the host has no Needle.Observability.</summary>
    public async Task<HealthSummary?> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await SendAsync<HealthSummary>(HttpMethod.Get, "health", null, cancellationToken);
        }
        catch (NeedleApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: s_json);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await RefusalAsync(response, cancellationToken);
        }

        return (await response.Content.ReadFromJsonAsync<T>(s_json, cancellationToken))!;
    }

    private static async Task<NeedleApiException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string title = response.ReasonPhrase ?? response.StatusCode.ToString();
        string? detail = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        var diagnostics = new List<Diagnostic>();
        try
        {
            if (JsonNode.Parse(text) is JsonObject problem)
            {
                title = problem["title"]?.GetValue<string>() ?? title;
                detail = problem["detail"]?.GetValue<string>();
                if (problem["diagnostics"] is JsonArray list)
                {
                    diagnostics.AddRange(list.Deserialize<List<Diagnostic>>(s_json) ?? []);
                }
            }
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's page, say): the body is the detail.
        }

        return new NeedleApiException(response.StatusCode, title, detail, diagnostics);
    }

    private static string Escape(string segment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(segment);
        return Uri.EscapeDataString(segment);
    }

    private static string Query(params (string Name, string? Value)[] values)
    {
        var parts = values.Where(v => v.Value is not null).Select(v => $"{v.Name}={Uri.EscapeDataString(v.Value!)}").ToList();
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}
