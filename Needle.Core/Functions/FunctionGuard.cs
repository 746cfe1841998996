namespace Needle.Functions;

/// <summary>
/// The manifest's <c>guard</c> section: this function's thresholds for Needle.Rollback's canary guard, release plan
/// gate and patch watch. Every member is optional; one left out keeps the host's value (<c>RollbackOptions.FunctionGuards[name]</c>,
/// else <c>RollbackOptions.Guard</c>), field by field. The guard reads the section of the version it judges (the canary,
/// or the patched version). The comparison window and the healthy margin stay host-wide. Validated at deploy; without
/// Needle.Rollback it is stored with the version and has no effect.
/// </summary>
public sealed class FunctionGuard
{
    /// <summary>No decision with fewer canary requests than this in the window: 1 to 1,000,000. Host default: 20.</summary>
    public int? MinimumRequests { get; set; }

    /// <summary>A breach when the canary's error ratio exceeds the stable version's by this much (0.05 = 5 points): above 0, at most 1. Host default: 0.05.</summary>
    public double? ErrorRatioDelta { get; set; }

    /// <summary>A breach when the canary's p99 reaches this many times the stable version's p99 plus <see cref="P99SlackMs"/>: 1 to 1,000. Host default: 2.</summary>
    public double? P99Factor { get; set; }

    /// <summary>Milliseconds added to the stable p99 times <see cref="P99Factor"/>: 0 to 600,000. Host default: 50.</summary>
    public double? P99SlackMs { get; set; }

    /// <summary>How many evaluations in a row must see a breach before the guard rolls back (1 = at once): 1 to 100. Host default: 2.</summary>
    public int? ConsecutiveBreaches { get; set; }
}
