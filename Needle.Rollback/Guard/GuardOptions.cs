namespace Needle.Rollback.Guard;

/// <summary>
/// When the guard calls a canary bad. Set once in <c>AddRollback</c>, per function in <see cref="Hosting.RollbackOptions.FunctionGuards"/>,
/// and per version in the manifest's <c>guard</c> section (<see cref="Functions.FunctionGuard"/>), which wins field by field.
/// </summary>
public sealed class GuardOptions
{
    /// <summary>No decision with fewer canary requests than this in the window. Default: 20.</summary>
    public int MinimumRequests { get; set; } = 20;

    /// <summary>
    /// The effect that matters: an error breach needs the canary's error ratio at least this far above the stable
    /// version's (0.05 = 5 points), besides <see cref="MinimumErrors"/> and a significant difference. Default: 0.05.
    /// </summary>
    public double ErrorRatioDelta { get; set; } = 0.05;

    /// <summary>An error breach needs at least this many canary errors in the window, so one transient error is never a verdict. Default: 5.</summary>
    public int MinimumErrors { get; set; } = 5;

    /// <summary>
    /// A latency breach needs at least this many warm canary requests at or above the limit (factor × stable p99 + slack),
    /// so one slow request is never a verdict. Default: 5.
    /// </summary>
    public int MinimumSlowRequests { get; set; } = 5;

    /// <summary>
    /// The significance level of the guard's tests (one-sided Fisher exact tests, canary against stable): a breach needs
    /// a p-value under it. Default: 0.01.
    /// </summary>
    public double Alpha { get; set; } = 0.01;

    /// <summary>
    /// The latency limit is this many times the stable version's warm p99 plus <see cref="P99SlackMs"/>; a breach needs the
    /// canary's warm p99 at or above it, <see cref="MinimumSlowRequests"/> and a significant share of slow requests. Default: 2.
    /// </summary>
    public double P99Factor { get; set; } = 2;

    /// <summary>Milliseconds added to the stable p99 times <see cref="P99Factor"/>, so fast functions do not breach on noise. Default: 50.</summary>
    public double P99SlackMs { get; set; } = 50;

    /// <summary>The health window compared. Default: 1 minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many evaluations in a row must see a breach before the guard acts (1 = at once). Default: 2.</summary>
    public int ConsecutiveBreaches { get; set; } = 2;

    /// <summary>
    /// The share of each threshold a canary must stay under to count as healthy for a release plan's gate (0.5 = half).
    /// Between that and the threshold the gate holds: neither breach nor pass, so a canary near the line does not flap. Default: 0.5.
    /// </summary>
    public double HealthyMargin { get; set; } = 0.5;

    /// <summary>Creates a copy, so a per-function override starts from the defaults.</summary>
    public GuardOptions Clone() => (GuardOptions)MemberwiseClone();
}
