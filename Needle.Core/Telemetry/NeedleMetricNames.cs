namespace Needle.Telemetry;

/// <summary>
/// The names, units and tag keys of Needle's meter and activity source, shared by the code that emits them, the
/// Observability package, the documentation and the Grafana dashboard. FaaS instruments follow the OpenTelemetry
/// FaaS semantic conventions; the others are Needle's own.
/// </summary>
public static class NeedleMetricNames
{
    /// <summary>The meter every Needle instrument belongs to.</summary>
    public const string MeterName = "Needle";

    /// <summary>The activity source of invocation and fetch spans.</summary>
    public const string ActivitySourceName = "Needle";

    /// <summary>Counter: invocations of a function version, tagged with role and outcome.</summary>
    public const string Invocations = "faas.invocations";

    /// <summary>Counter: invocations that failed (every outcome but success and aborted), tagged with <see cref="ErrorTypeTag"/>.</summary>
    public const string Errors = "faas.errors";

    /// <summary>Counter: invocations that ran past their timeout.</summary>
    public const string Timeouts = "faas.timeouts";

    /// <summary>Histogram (seconds): how long an invocation took, from the call to the handler's answer.</summary>
    public const string InvokeDuration = "faas.invoke_duration";

    /// <summary>Counter: cold starts: invocations that had to create a JavaScript engine first or were an engine's first call (Jint's first run of the handler), and the first call of a loaded C# version (the JIT).</summary>
    public const string ColdStarts = "faas.coldstarts";

    /// <summary>Histogram (seconds): how long creating a JavaScript engine took (module evaluation included), or loading a C# version (its context, assembly and instance).</summary>
    public const string InitDuration = "faas.init_duration";

    /// <summary>Counter: versions deployed on this node (an unchanged redeploy does not count).</summary>
    public const string Deployments = "needle.deployments";

    /// <summary>Counter: rollbacks made on this node.</summary>
    public const string Rollbacks = "needle.rollbacks";

    /// <summary>Counter: versions that took a role without running their test cases (<c>skipTests</c>), per function and route (<see cref="RouteTag"/>).</summary>
    public const string TestsSkipped = "needle.tests.skipped";

    /// <summary>Unit of <see cref="TestsSkipped"/>.</summary>
    public const string TestsSkippedUnit = "{skip}";

    /// <summary>Counter: invocations stopped by a sandbox limit, tagged with <see cref="LimitTag"/>.</summary>
    public const string LimitHits = "needle.sandbox.limit_hits";

    /// <summary>Gauge: versions loaded on this node per function (stable, canary and warm standbys).</summary>
    public const string LoadedVersions = "needle.versions.loaded";

    /// <summary>Gauge: the store revision this node serves.</summary>
    public const string AppliedRevision = "needle.revision.applied";

    /// <summary>Gauge: how many revisions this node is behind the latest it has seen in the store.</summary>
    public const string RevisionLag = "needle.revision.lag";

    /// <summary>Unit of <see cref="Invocations"/>.</summary>
    public const string InvocationUnit = "{invocation}";

    /// <summary>Unit of <see cref="Errors"/>.</summary>
    public const string ErrorUnit = "{error}";

    /// <summary>Unit of <see cref="Timeouts"/>.</summary>
    public const string TimeoutUnit = "{timeout}";

    /// <summary>Unit of <see cref="ColdStarts"/>.</summary>
    public const string ColdStartUnit = "{coldstart}";

    /// <summary>Unit of durations: seconds.</summary>
    public const string SecondsUnit = "s";

    /// <summary>Unit of <see cref="Deployments"/>.</summary>
    public const string DeploymentUnit = "{deployment}";

    /// <summary>Unit of <see cref="Rollbacks"/>.</summary>
    public const string RollbackUnit = "{rollback}";

    /// <summary>Unit of <see cref="LimitHits"/>.</summary>
    public const string LimitHitUnit = "{hit}";

    /// <summary>Unit of <see cref="LoadedVersions"/>.</summary>
    public const string VersionUnit = "{version}";

    /// <summary>Unit of <see cref="AppliedRevision"/> and <see cref="RevisionLag"/>.</summary>
    public const string RevisionUnit = "{revision}";

    /// <summary>Tag: the function name.</summary>
    public const string FunctionTag = "faas.name";

    /// <summary>Tag: the version number.</summary>
    public const string VersionTag = "faas.version";

    /// <summary>Tag: the release role that served (<c>stable</c>, <c>canary</c>, <c>pinned</c>).</summary>
    public const string RoleTag = "needle.role";

    /// <summary>Tag: how the invocation ended (<see cref="InvocationOutcomes"/>).</summary>
    public const string OutcomeTag = "needle.outcome";

    /// <summary>Tag of <see cref="Errors"/>: the failure, one of the outcome values.</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>Tag of <see cref="LimitHits"/>: <c>memory</c>, <c>statements</c> or <c>recursion</c>.</summary>
    public const string LimitTag = "needle.limit";

    /// <summary>Tag of the revision gauges: the node id.</summary>
    public const string NodeTag = "needle.node";

    /// <summary>Span tag: whether the invocation was a cold start (created an engine first; a C# version's first call).</summary>
    public const string ColdStartTag = "faas.coldstart";

    /// <summary>Span tag: the request id.</summary>
    public const string InvocationIdTag = "faas.invocation_id";

    /// <summary>Span tag of fetch spans: the downstream service name.</summary>
    public const string ServiceTag = "needle.downstream.service";

    /// <summary>Tag of <see cref="TestsSkipped"/>: the way in that went around the gate (<c>deploy</c>, <c>canary</c>, <c>activate</c>, <c>release</c>, <c>promote</c>, <c>plan</c>, <c>patch</c>).</summary>
    public const string RouteTag = "needle.route";
}
