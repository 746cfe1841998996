using System.Text.Json.Nodes;
using Needle.Releases;

namespace Needle.Patching;

/// <summary>
/// An emergency patch: <c>POST /functions/{name}/patches</c>. Exactly one of <see cref="Diff"/>, <see cref="Source"/>,
/// <see cref="Config"/> or <see cref="Fallback"/>; a reason is required.
/// </summary>
public sealed class PatchRequest
{
    /// <summary>The content hash of the stable version the patch is made against; a stale hash is refused (not needed for a kill switch).</summary>
    public string? BaseHash { get; set; }

    /// <summary>A unified diff against the base version's source; it must apply cleanly.</summary>
    public string? Diff { get; set; }

    /// <summary>A whole new source.</summary>
    public string? Source { get; set; }

    /// <summary>A new <c>config</c> for the base version's manifest (replaces it whole).</summary>
    public JsonObject? Config { get; set; }

    /// <summary>A kill switch: every request gets this response until the switch is lifted.</summary>
    public FallbackResponse? Fallback { get; set; }

    /// <summary>Why. Required.</summary>
    public string? Reason { get; set; }

    /// <summary>An incident or ticket id, recorded in the audit trail.</summary>
    public string? Ticket { get; set; }

    /// <summary>
    /// Apply the patch without running the version's test cases (the quality gate): for an emergency where the cases
    /// cannot pass in time. Needs <see cref="Reason"/>; audited as <c>tests-skipped</c> and counted in the
    /// <c>needle.tests.skipped</c> metric. Default: <see langword="false"/>.
    /// </summary>
    public bool SkipTests { get; set; }

    /// <summary>A key that makes retries safe: a second patch with the same key returns the first one's result.</summary>
    public string? IdempotencyKey { get; set; }
}
