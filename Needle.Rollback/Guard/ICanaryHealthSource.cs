namespace Needle.Rollback.Guard;

/// <summary>
/// Where the guard, release plans and patch watches read a version's health. Needle.Rollback reads it through this
/// interface so the decision does not depend on how the numbers are collected: by default from the requests this
/// node answers (<see cref="RequestHealthSource"/>); a host may register its own (for example over Needle.Observability's windows).
/// </summary>
public interface ICanaryHealthSource
{
    /// <summary>What <paramref name="version"/> of <paramref name="function"/> did over the last <paramref name="window"/>.</summary>
    HealthSample GetSample(string function, int version, TimeSpan window);
}
