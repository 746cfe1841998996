using Needle.Functions;

namespace Needle.ControlPlane;

/// <summary>A deploy as the API, the folder watcher and emergency patches ask for it.</summary>
/// <param name="Name">The function name.</param>
/// <param name="Source">The source text (required; refused when empty).</param>
/// <param name="Manifest">The manifest, if given; its name, when set, must be <paramref name="Name"/>.</param>
/// <param name="Actor">Who deploys.</param>
internal sealed record DeployCommand(string Name, string? Source, FunctionManifest? Manifest, string Actor)
{
    /// <summary>Whether the version serves as stable at once. Default: <see langword="true"/>. Ignored with <see cref="Canary"/>.</summary>
    public bool Activate { get; init; } = true;

    /// <summary>Why, for the audit trail. Default: none.</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// Deploy nothing when any earlier version has this content (a watcher's start-up scan: a file deployed before
    /// must not undo a version deployed since through the API). Otherwise only the latest version is compared. Default: off.
    /// </summary>
    public bool SkipIfKnown { get; init; }

    /// <summary>
    /// Deploy nothing when a version with this content was created at or after this time (a watched file's last
    /// write: the nodes of a cluster all see the change, and the first node's deploy of it stands for all of them,
    /// also when a rollback or another deploy came between). Default: none.
    /// </summary>
    public DateTimeOffset? SkipIfDeployedSince { get; init; }

    /// <summary>When set, the version goes in as canary beside the current stable version (which must exist). Default: none.</summary>
    public CanaryRequest? Canary { get; init; }

    /// <summary>The version this one patches, recorded as its parent. Default: none.</summary>
    public int? ParentNumber { get; init; }

    /// <summary>
    /// Deploy without running the version's test cases (an API deploy's or a patch's <c>skipTests</c>, never the
    /// watcher's), audited and counted once the version is written. Default: none (the gate runs).
    /// </summary>
    public Quality.TestSkip? SkipTests { get; init; }

    /// <summary>Whether a release serving the new version as stable is written with it.</summary>
    public bool ActivatesAtOnce => Activate && Canary is null;
}
