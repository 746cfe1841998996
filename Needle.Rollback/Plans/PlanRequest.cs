namespace Needle.Rollback.Plans;

/// <summary><c>POST /functions/{name}/plans</c>: release a version as canary through steps.</summary>
public sealed class PlanRequest
{
    /// <summary>The version to release (it becomes the canary).</summary>
    public int? Version { get; set; }

    /// <summary>Canary weights in percent, strictly increasing, each in (0, 100], the last 100 (promote). Example: <c>[1, 5, 20, 50, 100]</c>.</summary>
    public IReadOnlyList<double>? Steps { get; set; }

    /// <summary>How long each step runs before the gate is checked, in seconds (1 second to 1 day).</summary>
    public double? StepWaitSeconds { get; set; }

    /// <summary>Why; recorded on every release change the plan makes. Required with <see cref="SkipTests"/>.</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// An emergency's way around the quality gate: the version goes in as canary without its test cases running, and
    /// the plan's closing promote skips them too. Each is audited as <c>tests-skipped</c> (route <c>plan</c>, with the
    /// plan's id) and counted in <c>needle.tests.skipped</c>. Needs <see cref="Reason"/> (else 400). Default: <see langword="false"/>.
    /// </summary>
    public bool SkipTests { get; set; }
}
