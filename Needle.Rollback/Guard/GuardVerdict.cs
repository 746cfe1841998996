namespace Needle.Rollback.Guard;

/// <summary>What the guard makes of a canary.</summary>
public enum GuardVerdict
{
    /// <summary>Too few canary requests to say anything: no action, and a release plan holds.</summary>
    InsufficientData,

    /// <summary>Clearly healthy: a release plan may advance.</summary>
    Healthy,

    /// <summary>Worse than stable but under the breach thresholds: no action, a release plan holds.</summary>
    Marginal,

    /// <summary>Over a threshold: roll the canary back.</summary>
    Breach,
}
