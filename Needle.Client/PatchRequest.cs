using System.Text.Json.Nodes;

namespace Needle.Client;

/// <summary>An emergency patch to all traffic: exactly one of a diff, a source or a config, against a base hash.</summary>
public sealed record PatchRequest
{
    /// <summary>The content hash of the stable version the patch is made against.</summary>
    public required string BaseHash { get; init; }

    /// <summary>A unified diff against the base version's source.</summary>
    public string? Diff { get; init; }

    /// <summary>A whole new source.</summary>
    public string? Source { get; init; }

    /// <summary>A new <c>config</c> for the base version's manifest.</summary>
    public JsonObject? Config { get; init; }

    /// <summary>Apply without running the version's test cases (audited as <c>tests-skipped</c>, counted); for emergencies only.</summary>
    public bool SkipTests { get; init; }

    /// <summary>Why. Required by the server.</summary>
    public required string Reason { get; init; }
}
