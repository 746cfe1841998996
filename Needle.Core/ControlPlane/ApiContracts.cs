using System.Text.Json;
using System.Text.Json.Nodes;
using Needle.Functions;

namespace Needle.ControlPlane;

/// <summary>The body of a deploy: <c>POST /functions/{name}/versions</c>.</summary>
public sealed class DeployRequest
{
    /// <summary>The source text of the function.</summary>
    public string? Source { get; set; }

    /// <summary>The manifest; optional (name from the path, route <c>/{name}</c>, methods GET and POST, runtime javascript).</summary>
    public FunctionManifest? Manifest { get; set; }

    /// <summary>Whether the new version serves at once. Default: <see langword="true"/>.</summary>
    public bool? Activate { get; set; }

    /// <summary>Why, for the audit trail.</summary>
    public string? Reason { get; set; }

    /// <summary>When set, the version goes in as the canary beside the current stable version instead of replacing it.</summary>
    public CanaryRequest? Canary { get; set; }

    /// <summary>
    /// An emergency's way around the quality gate: the version takes its role without its test cases running. Needs
    /// <c>reason</c> (else 400); audited as <c>tests-skipped</c>, counted in <c>needle.tests.skipped</c>, and shown on
    /// the version. Default: <see langword="false"/>.
    /// </summary>
    public bool SkipTests { get; set; }
}

/// <summary>A canary: <c>POST /functions/{name}/canary</c>, or the <c>canary</c> of a deploy.</summary>
public sealed class CanaryRequest
{
    /// <summary>The version to run as canary; default: the current canary (to change its weight or pins). Ignored in a deploy.</summary>
    public int? Version { get; set; }

    /// <summary>Its share of traffic in percent, 0 to 100.</summary>
    public double Weight { get; set; }

    /// <summary>User keys that always get the canary. Default: keep the current pins when the canary stays the same.</summary>
    public List<string>? Pins { get; set; }

    /// <summary>Release a version even though a rollback marked it bad.</summary>
    public bool Force { get; set; }

    /// <summary>Why, for the audit trail.</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// An emergency's way around the quality gate: the version takes its role without its test cases running. Needs
    /// <c>reason</c> (else 400); audited as <c>tests-skipped</c>, counted in <c>needle.tests.skipped</c>, and shown on
    /// the version. Ignored in a deploy (the deploy's own <c>skipTests</c> counts). Default: <see langword="false"/>.
    /// </summary>
    public bool SkipTests { get; set; }
}

/// <summary>A whole release: <c>PUT /functions/{name}/release</c>.</summary>
public sealed class ReleaseRequest
{
    /// <summary>The stable version; default: the current one.</summary>
    public int? StableVersion { get; set; }

    /// <summary>The canary version; none when left out.</summary>
    public int? CanaryVersion { get; set; }

    /// <summary>The canary's share of traffic in percent.</summary>
    public double CanaryWeight { get; set; }

    /// <summary>User keys that always get the canary.</summary>
    public List<string>? Pins { get; set; }

    /// <summary>Release a version even though a rollback marked it bad.</summary>
    public bool Force { get; set; }

    /// <summary>Why, for the audit trail.</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// An emergency's way around the quality gate: the version takes its role without its test cases running. Needs
    /// <c>reason</c> (else 400); audited as <c>tests-skipped</c>, counted in <c>needle.tests.skipped</c>, and shown on
    /// the version. Default: <see langword="false"/>.
    /// </summary>
    public bool SkipTests { get; set; }
}

/// <summary>A move the quality gate stands on that carries only a reason: <c>POST .../promote</c>, <c>POST .../versions/{n}/activate</c>.</summary>
public sealed class GatedMoveRequest
{
    /// <summary>Why, for the audit trail; required with <see cref="SkipTests"/>.</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// An emergency's way around the quality gate: the version takes its role without its test cases running. Needs
    /// <c>reason</c> (else 400); audited as <c>tests-skipped</c>, counted in <c>needle.tests.skipped</c>, and shown on
    /// the version. Default: <see langword="false"/>.
    /// </summary>
    public bool SkipTests { get; set; }
}

/// <summary>A rollback: <c>POST /functions/{name}/rollback</c>.</summary>
public sealed class RollbackRequest
{
    /// <summary>The version to go back to; default: the previous stable version not marked bad (or, with a canary, just drop the canary).</summary>
    public int? To { get; set; }

    /// <summary>Why, for the audit trail.</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// Run the rollback as a job and answer 202 at once, when the host's <see cref="IEmergencyActions"/> can (Needle.Rollback);
    /// <c>?async=true</c> on the URL sets it too. Core alone always rolls back before it answers. Default: <see langword="false"/>.
    /// </summary>
    public bool Async { get; set; }
}

/// <summary>A body that carries only a reason: abort, and the like.</summary>
public sealed class ReasonRequest
{
    /// <summary>Why, for the audit trail.</summary>
    public string? Reason { get; set; }
}

/// <summary>A sample request for a test invocation: <c>POST /functions/{name}/versions/{id}/invoke</c>.</summary>
public sealed class InvokeRequest
{
    /// <summary>The HTTP method. Default: <c>GET</c>.</summary>
    public string? Method { get; set; }

    /// <summary>The path the function sees. Default: the function's route.</summary>
    public string? Path { get; set; }

    /// <summary>Route parameters.</summary>
    public Dictionary<string, string>? Params { get; set; }

    /// <summary>Query parameters.</summary>
    public Dictionary<string, string>? Query { get; set; }

    /// <summary>Request headers.</summary>
    public Dictionary<string, string>? Headers { get; set; }

    /// <summary>A JSON body (sent as <c>application/json</c>).</summary>
    public JsonNode? Body { get; set; }

    /// <summary>A text body, used when <see cref="Body"/> is not given.</summary>
    public string? BodyText { get; set; }
}

/// <summary>What a test invocation answered.</summary>
/// <param name="Status">The status the function's endpoint would have sent.</param>
/// <param name="Headers">The response headers.</param>
/// <param name="Body">The body as JSON when it is JSON, else as a string.</param>
/// <param name="DurationMs">How long the invocation took.</param>
/// <param name="Logs">The lines it wrote with <c>ctx.log</c>.</param>
/// <param name="Error">Why it failed, when it did.</param>
public sealed record InvokeResponse(int Status, IReadOnlyDictionary<string, string> Headers, JsonElement? Body, double DurationMs, IReadOnlyList<Runtime.FunctionLogEntry> Logs, string? Error);

/// <summary>A function in listings.</summary>
/// <param name="Name">The name.</param>
/// <param name="Route">The route template of the serving version.</param>
/// <param name="Methods">Its methods.</param>
/// <param name="Runtime">Its runtime.</param>
/// <param name="LatestVersion">The highest version number.</param>
/// <param name="Release">The current release.</param>
/// <param name="Serving">The version label this node serves, if any.</param>
/// <param name="LoadError">Why the released version is not loaded on this node, if it failed.</param>
public sealed record FunctionSummary(string Name, string? Route, IReadOnlyList<string>? Methods, string? Runtime, int LatestVersion, Store.ReleaseRecord? Release, string? Serving, string? LoadError);

/// <summary>A version in listings (without its source).</summary>
/// <param name="Number">The version number.</param>
/// <param name="ContentHash">The content hash.</param>
/// <param name="Author">Who deployed it.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="Parent">The version it patches, if any.</param>
/// <param name="TestsSkipped">Each time the version took a role without its test cases running (<c>skipTests</c>), newest first; empty when never.</param>
public sealed record VersionSummary(int Number, string ContentHash, string Author, DateTimeOffset CreatedAt, int? Parent, IReadOnlyList<Quality.SkippedTests> TestsSkipped);

/// <summary>One function with its versions.</summary>
/// <param name="Function">The function.</param>
/// <param name="Versions">Its versions, newest first.</param>
public sealed record FunctionDetail(FunctionSummary Function, IReadOnlyList<VersionSummary> Versions);

/// <summary>The result of a deploy.</summary>
/// <param name="Function">The function.</param>
/// <param name="Version">The version number (the existing one when <paramref name="Unchanged"/>).</param>
/// <param name="ContentHash">The content hash.</param>
/// <param name="Active">Whether the version serves now.</param>
/// <param name="Revision">The store revision after the deploy.</param>
/// <param name="Unchanged">Whether the content equalled the latest version, so nothing was written.</param>
/// <param name="Warnings">
/// What the compiler warned about (C#), with line, column and code; empty when nothing, and always for JavaScript.
/// The same source always reports the same warnings, also when its compiled image is reused.
/// </param>
public sealed record DeployResponse(string Function, int Version, string ContentHash, bool Active, long Revision, bool Unchanged, IReadOnlyList<Runtime.FunctionDiagnostic> Warnings);

/// <summary>A kill switch: <c>POST /functions/{name}/kill</c>.</summary>
public sealed class KillRequest
{
    /// <summary>The response every request gets while the switch is on.</summary>
    public Releases.FallbackResponse? Fallback { get; set; }

    /// <summary>Why, for the audit trail. Required.</summary>
    public string? Reason { get; set; }
}
