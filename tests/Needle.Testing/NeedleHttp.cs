using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Needle.Testing;

/// <summary>The calls tests make of a Needle host over plain HTTP, where the raw response is what is asserted.</summary>
public static class NeedleHttp
{
    /// <summary>The control plane's path in every test host.</summary>
    public const string ApiPath = "/needle/api";

    /// <summary>Deploys through the API and returns the response (not checked).</summary>
    public static Task<HttpResponseMessage> TryDeployAsync(
        this HttpClient client, string name, string source, object? manifest = null, bool activate = true, string? reason = null, object? canary = null) =>
        client.PostAsJsonAsync($"{ApiPath}/functions/{name}/versions", new { source, manifest, activate, reason, canary });

    /// <summary>Deploys through the API, asserts success, and returns the created version (<c>version</c>, <c>contentHash</c> ...).</summary>
    public static async Task<JsonNode> DeployAsync(
        this HttpClient client, string name, string source, object? manifest = null, bool activate = true, string? reason = null, object? canary = null)
    {
        using var response = await client.TryDeployAsync(name, source, manifest, activate, reason, canary);
        var text = await response.Content.ReadAsStringAsync();
        Assert.IsTrue(response.IsSuccessStatusCode, $"Deploy of {name} failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>GETs a path and reads the whole response: status, body, and the version that served it (the <c>Needle-Version</c> header).</summary>
    public static async Task<(int Status, string Body, string? Version)> GetResultAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var version = response.Headers.TryGetValues("Needle-Version", out var values) ? values.First() : null;
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), version);
    }
}
