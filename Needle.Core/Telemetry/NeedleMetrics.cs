using System.Diagnostics;
using System.Diagnostics.Metrics;
using Needle.Functions;
using Needle.Releases;
using static Needle.Telemetry.NeedleMetricNames;

namespace Needle.Telemetry;

/// <summary>
/// Needle's instruments on the request path and in the control plane, on the <c>Needle</c> meter. Tags are built
/// only when an instrument is enabled, so with no listener a call costs a few field reads.
/// </summary>
internal sealed class NeedleMetrics
{
    /// <summary>Bucket boundaries (seconds) for BFF latencies: sub-millisecond functions up to the 30 s timeout ceiling.</summary>
    internal static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30];

    private readonly Counter<long> _invocations;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _timeouts;
    private readonly Histogram<double> _invokeDuration;
    private readonly Counter<long> _coldStarts;
    private readonly Histogram<double> _initDuration;
    private readonly Counter<long> _deployments;
    private readonly Counter<long> _rollbacks;
    private readonly Counter<long> _limitHits;
    private readonly Counter<long> _testsSkipped;

    public NeedleMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _invocations = meter.CreateCounter<long>(Invocations, InvocationUnit, "Invocations of a function version.");
        _errors = meter.CreateCounter<long>(Errors, ErrorUnit, "Invocations that failed.");
        _timeouts = meter.CreateCounter<long>(Timeouts, TimeoutUnit, "Invocations that ran past their timeout.");
        _invokeDuration = meter.CreateHistogram(InvokeDuration, SecondsUnit, "How long invocations took.", advice: advice);
        _coldStarts = meter.CreateCounter<long>(ColdStarts, ColdStartUnit, "Invocations that created an engine first or were an engine's first call, or were a C# version's first call.");
        _initDuration = meter.CreateHistogram(InitDuration, SecondsUnit, "How long creating an engine, or loading a C# version, took.", advice: advice);
        _deployments = meter.CreateCounter<long>(Deployments, DeploymentUnit, "Versions deployed on this node.");
        _rollbacks = meter.CreateCounter<long>(Rollbacks, RollbackUnit, "Rollbacks made on this node.");
        _limitHits = meter.CreateCounter<long>(LimitHits, LimitHitUnit, "Invocations stopped by a sandbox limit.");
        _testsSkipped = meter.CreateCounter<long>(TestsSkipped, TestsSkippedUnit, "Versions that took a role without running their test cases (skipTests), per route.");
    }

    public void RecordInvocation(FunctionVersion version, ReleaseRole role, InvocationOutcome outcome, double seconds, string? limit)
    {
        if (_invocations.Enabled || _invokeDuration.Enabled)
        {
            var tags = new TagList
            {
                { FunctionTag, version.Name },
                { VersionTag, NeedleTags.Version(version.Number) },
                { RoleTag, NeedleTags.Role(role) },
                { OutcomeTag, InvocationOutcomes.Name(outcome) },
            };
            _invocations.Add(1, tags);
            _invokeDuration.Record(seconds, tags);
        }

        if (outcome == InvocationOutcome.Success)
        {
            return;
        }

        RecordFailure(version, role, outcome, limit);
    }

    /// <summary>A JavaScript engine was created, or a C# version had its first call (<paramref name="seconds"/>: its load).</summary>
    public void RecordEngineCreated(FunctionVersion version, double seconds, bool coldStart)
    {
        if (!_coldStarts.Enabled && !_initDuration.Enabled)
        {
            return;
        }

        var tags = new TagList { { FunctionTag, version.Name }, { VersionTag, NeedleTags.Version(version.Number) } };
        if (coldStart)
        {
            _coldStarts.Add(1, tags);
        }

        _initDuration.Record(seconds, tags);
    }

    /// <summary>A call was the first on an engine made ahead of it (at load): a cold start without a creation to time.</summary>
    public void RecordColdStart(FunctionVersion version)
    {
        if (_coldStarts.Enabled)
        {
            _coldStarts.Add(1, new TagList { { FunctionTag, version.Name }, { VersionTag, NeedleTags.Version(version.Number) } });
        }
    }

    public void RecordDeployment(string function)
    {
        if (_deployments.Enabled)
        {
            _deployments.Add(1, new KeyValuePair<string, object?>(FunctionTag, function));
        }

        // The rollback series starts at 0, so a function's first rollback is an increase a dashboard can see.
        if (_rollbacks.Enabled)
        {
            _rollbacks.Add(0, new KeyValuePair<string, object?>(FunctionTag, function));
        }
    }

    public void RecordTestsSkipped(string function, string route)
    {
        if (_testsSkipped.Enabled)
        {
            _testsSkipped.Add(1, new KeyValuePair<string, object?>(FunctionTag, function), new KeyValuePair<string, object?>(RouteTag, route));
        }
    }

    public void RecordRollback(string function)
    {
        if (_rollbacks.Enabled)
        {
            _rollbacks.Add(1, new KeyValuePair<string, object?>(FunctionTag, function));
        }
    }

    private void RecordFailure(FunctionVersion version, ReleaseRole role, InvocationOutcome outcome, string? limit)
    {
        var tags = new TagList
        {
            { FunctionTag, version.Name },
            { VersionTag, NeedleTags.Version(version.Number) },
            { RoleTag, NeedleTags.Role(role) },
        };

        if (outcome == InvocationOutcome.Timeout && _timeouts.Enabled)
        {
            _timeouts.Add(1, tags);
        }

        if (outcome == InvocationOutcome.LimitExceeded && _limitHits.Enabled)
        {
            var limitTags = tags;
            limitTags.Add(LimitTag, limit ?? "unknown");
            _limitHits.Add(1, limitTags);
        }

        if (InvocationOutcomes.IsError(outcome) && _errors.Enabled)
        {
            tags.Add(ErrorTypeTag, InvocationOutcomes.Name(outcome));
            _errors.Add(1, tags);
        }
    }
}
