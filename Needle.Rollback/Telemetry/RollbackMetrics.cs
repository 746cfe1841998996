using System.Diagnostics.Metrics;

namespace Needle.Rollback.Telemetry;

/// <summary>Needle.Rollback's instruments on the <c>Needle</c> meter: guard rollbacks, rollback durations, patch outcomes, plan steps.</summary>
internal sealed class RollbackMetrics
{
    public const string MeterName = "Needle";
    public const string GuardRollbacksName = "needle.guard.rollbacks";
    public const string RollbackDurationName = "needle.rollback.duration";
    public const string PatchesName = "needle.patches";
    public const string PlanStepsName = "needle.plan.steps";

    private readonly Counter<long> _guardRollbacks;
    private readonly Histogram<double> _rollbackDuration;
    private readonly Counter<long> _patches;
    private readonly Counter<long> _planSteps;

    public RollbackMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _guardRollbacks = meter.CreateCounter<long>(GuardRollbacksName, "{rollback}", "Canaries the guard rolled back on a breach.");
        _rollbackDuration = meter.CreateHistogram<double>(RollbackDurationName, "s", "From a rollback job's start until this node serves the version rolled back to.");
        _patches = meter.CreateCounter<long>(PatchesName, "{patch}", "Emergency patch runs by outcome.");
        _planSteps = meter.CreateCounter<long>(PlanStepsName, "{step}", "Release plan steps taken.");
    }

    public void GuardRolledBack(string function, int version)
    {
        if (_guardRollbacks.Enabled)
        {
            _guardRollbacks.Add(1, new("faas.name", function), new("needle.version", version));
        }
    }

    public void RollbackServed(string function, TimeSpan duration)
    {
        if (_rollbackDuration.Enabled)
        {
            _rollbackDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("faas.name", function));
        }
    }

    public void PatchFinished(string function, string outcome)
    {
        if (_patches.Enabled)
        {
            _patches.Add(1, new("faas.name", function), new("needle.outcome", outcome));
        }
    }

    public void PlanStepped(string function, string outcome)
    {
        if (_planSteps.Enabled)
        {
            _planSteps.Add(1, new("faas.name", function), new("needle.outcome", outcome));
        }
    }
}
