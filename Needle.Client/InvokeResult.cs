using System.Text.Json;

namespace Needle.Client;

/// <summary>A test invocation's answer (it takes no traffic and touches no health window).</summary>
/// <param name="Status">The status the function answered.</param>
/// <param name="Headers">Its headers.</param>
/// <param name="Body">Its body as JSON, when it was JSON.</param>
/// <param name="DurationMs">How long the call took.</param>
/// <param name="Logs">What the function logged.</param>
/// <param name="Error">The error, when the call failed.</param>
public sealed record InvokeResult(int Status, IReadOnlyDictionary<string, string> Headers, JsonElement? Body, double DurationMs, IReadOnlyList<JsonElement> Logs, string? Error);
