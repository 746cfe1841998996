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
}
