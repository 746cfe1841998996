using System.Text.Json.Nodes;

namespace Needle.Functions;

/// <summary>
/// Describes how a function is reached and run: its name, route, methods, runtime, limits, configuration,
/// the downstream services it may call and, optionally, its canary guard thresholds. Deployed with the source (in the request body or as a
/// <c>name.json</c> file beside the source) and stored, unchanged, with every version.
/// </summary>
public sealed class FunctionManifest
{
    /// <summary>The function name: 1 to 63 characters of <c>a-z</c>, <c>0-9</c> and <c>-</c>, starting with a letter or digit.</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// The route template relative to the prefix that <c>MapNeedle</c> maps, for example <c>/users/{id}</c>.
    /// Defaults to <c>/{name}</c> when empty.
    /// </summary>
    public string? Route { get; set; }

    /// <summary>The HTTP methods the function answers. Defaults to <c>GET</c> and <c>POST</c> when empty.</summary>
    public IList<string>? Methods { get; set; }

    /// <summary>The runtime that runs the source: <c>javascript</c> (the default) or <c>csharp</c>.</summary>
    public string? Runtime { get; set; }

    /// <summary>Per-invocation limits; a limit left out takes the host default from <see cref="FunctionLimits"/> in the Needle options.</summary>
    public FunctionLimits? Limits { get; set; }

    /// <summary>Free-form configuration handed to the function as <c>ctx.config</c>.</summary>
    public JsonObject? Config { get; set; }

    /// <summary>
    /// Secrets the function reads as <c>ctx.secrets.name</c> (C#: <c>context.Secrets["name"]</c>): each name maps to a
    /// key of the host's configuration (<c>{"paymentKey": "Payments:ApiKey"}</c>), read when the version loads. Only the
    /// names and keys are stored and shown; a key the host does not set refuses the deploy.
    /// </summary>
    public IDictionary<string, string>? Secrets { get; set; }

    /// <summary>The names of the downstream services (registered by the host) that the function may call with <c>ctx.fetch</c>.</summary>
    public IList<string>? Services { get; set; }

    /// <summary>
    /// Whether the function's responses carry <c>Content-Security-Policy: sandbox</c>, so any page it serves runs in an
    /// opaque origin without scripts, forms or the host's cookies. Default: <see langword="true"/>. Set
    /// <see langword="false"/> only for a function that must serve an active page: its scripts then run with the
    /// host's origin, and can call the control plane as the operator who opens the page (see docs/security.md).
    /// </summary>
    public bool? Sandbox { get; set; }

    /// <summary>
    /// Test cases that travel with the function (the quality stage): each a JSON object with <c>name</c>,
    /// <c>request</c>, <c>fetch</c> (stubbed downstream answers), <c>live</c> and <c>expect</c>; see
    /// docs/testing-functions.md. They run against every version before it takes traffic; a failing case refuses the
    /// change. Read strictly: an unknown field or a bad value refuses the deploy, naming the case and the field.
    /// </summary>
    public JsonArray? Tests { get; set; }

    /// <summary>This function's canary guard thresholds (Needle.Rollback), overriding the host's field by field; see <see cref="FunctionGuard"/>.</summary>
    public FunctionGuard? Guard { get; set; }
}
