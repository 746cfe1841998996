namespace Needle.Client;

/// <summary>A canary: its weight, version and pinned users (<c>POST /functions/{name}/canary</c>, or in a deploy).</summary>
public sealed record CanaryRequest
{
    /// <summary>The canary's share of traffic in percent (0–100).</summary>
    public double Weight { get; init; }

    /// <summary>The version to serve as canary; the current canary (or the newest version) when left out.</summary>
    public int? Version { get; init; }

    /// <summary>User keys that always get the canary.</summary>
    public IReadOnlyList<string>? Pins { get; init; }

    /// <summary>Why.</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// Go around the quality gate in an emergency: the version takes its role without its test cases running.
    /// Needs a reason (the server answers 400 without one); audited as <c>tests-skipped</c> and counted. Ignored inside a deploy (set the deploy's own).
    /// </summary>
    public bool SkipTests { get; init; }
}
