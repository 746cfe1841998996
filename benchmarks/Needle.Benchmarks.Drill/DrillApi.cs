using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Needle.Benchmarks.Drill;

/// <summary>The drills' one way to call a node's control plane: a POST whose failure ends the drill with the problem's text.</summary>
internal static class DrillApi
{
    public static async Task<JsonNode> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{client.BaseAddress}{path}: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)!;
    }
}
