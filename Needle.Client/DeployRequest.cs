using System.Text.Json.Nodes;

namespace Needle.Client;

/// <summary>A new version: <c>POST /functions/{name}/versions</c>.</summary>
public sealed record DeployRequest
{
    /// <summary>The source: an ES module (JavaScript) or a class implementing <c>INeedleFunction</c> (C#).</summary>
    public required string Source { get; init; }

    /// <summary>The manifest (route, methods, runtime, services, limits, config ...); optional.</summary>
    public JsonObject? Manifest { get; init; }

    /// <summary>Why; recorded in the audit trail.</summary>
    public string? Reason { get; init; }

    /// <summary>False deploys the version without serving it (a release plan or a later canary serves it).</summary>
    public bool? Activate { get; init; }

    /// <summary>Serve it as a canary beside the stable version instead of replacing it.</summary>
    public CanaryRequest? Canary { get; init; }

    /// <summary>
    /// Go around the quality gate in an emergency: the version takes its role without its test cases running.
    /// Needs a reason (the server answers 400 without one); audited as <c>tests-skipped</c> and counted.
    /// </summary>
    public bool SkipTests { get; init; }
}
