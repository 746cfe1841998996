namespace Needle.Telemetry;

/// <summary>
/// Needle's log event ids: one table, a range of a thousand per package, so an id names its package and stays the
/// same from release to release (filter and alert on them). Core's ids are here; each other package keeps its ids in
/// its own table inside its range (Needle.Rollback's <c>RollbackEventIds</c>), since Core knows nothing of the others.
/// A test reads every <c>[LoggerMessage]</c> of the Needle assemblies and holds them unique and in range.
/// docs/logging.md lists them all.
/// </summary>
public static class NeedleEventIds
{
    /// <summary>The first id of Needle.Core (1000-1999).</summary>
    public const int CoreFirst = 1000;

    /// <summary>The last id of Needle.Core.</summary>
    public const int CoreLast = 1999;

    /// <summary>The first id of Needle.Observability (2000-2999).</summary>
    public const int ObservabilityFirst = 2000;

    /// <summary>The last id of Needle.Observability.</summary>
    public const int ObservabilityLast = 2999;

    /// <summary>The first id of Needle.Rollback (3000-3999).</summary>
    public const int RollbackFirst = 3000;

    /// <summary>The last id of Needle.Rollback.</summary>
    public const int RollbackLast = 3999;

    /// <summary>The first id of Needle.Console (4000-4999).</summary>
    public const int ConsoleFirst = 4000;

    /// <summary>The last id of Needle.Console.</summary>
    public const int ConsoleLast = 4999;

    // Functions' own log lines (1000-1099).

    /// <summary>A line a function wrote through <c>ctx.log</c>, at the level it chose.</summary>
    public const int FunctionMessage = 1000;

    // The request path (1100-1199).

    /// <summary>An invocation failed (timeout, sandbox limit, error), with what failed.</summary>
    public const int InvocationFailed = 1100;

    /// <summary>An invocation observer threw; the request was not affected.</summary>
    public const int ObserverFailed = 1101;

    /// <summary>The watchdog's timeout answer for a function that never yielded could not be written.</summary>
    public const int WatchdogAnswerFailed = 1102;

    // The reconciler (1200-1399).

    /// <summary>A version could not be loaded; the function keeps its previous version.</summary>
    public const int VersionLoadFailed = 1200;

    /// <summary>This node's revision could not be recorded in the store.</summary>
    public const int NodeReportFailed = 1201;

    /// <summary>A change made on this node could not catch up with the store; the next poll tries again.</summary>
    public const int CatchUpFailed = 1202;

    /// <summary>The node started serving a revision.</summary>
    public const int NodeStarted = 1300;

    /// <summary>The store could not be checked for changes; the node serves what it loaded.</summary>
    public const int StorePollFailed = 1301;

    /// <summary>The node's PostgreSQL listener lost its connection (or could not open it); it reconnects with back-off and the poll goes on.</summary>
    public const int StoreListenerDisconnected = 1302;

    /// <summary>The node's PostgreSQL listener (re)connected and listens for changes; the node reads the whole store once.</summary>
    public const int StoreListenerConnected = 1303;

    // Nodes: heartbeats (#15).

    /// <summary>This node records its heartbeat in the store again after failures (<see cref="NodeReportFailed"/>).</summary>
    public const int NodeReportRecovered = 1350;

    /// <summary>Rows of nodes gone longer than <c>NeedleOptions.NodeForgetAfter</c> were deleted from the node table.</summary>
    public const int NodesForgotten = 1351;

    /// <summary>This node stopped cleanly and deleted its own row of the node table, so nobody counts or waits for it.</summary>
    public const int NodeLeft = 1352;

    /// <summary>Two processes write this node's row (one node id for both): give each its own <c>Needle:NodeId</c>. Error.</summary>
    public const int NodeIdShared = 1353;

    /// <summary>The node id that two processes shared is this process's alone again.</summary>
    public const int NodeIdNoLongerShared = 1354;

    // The folder watcher (1400-1499).

    /// <summary>A watched file was deployed.</summary>
    public const int WatcherDeployed = 1400;

    /// <summary>A watched file was refused (diagnostics); the last good version keeps serving.</summary>
    public const int WatcherDeployFailed = 1401;

    /// <summary>Deploying a watched file failed unexpectedly.</summary>
    public const int WatcherDeployError = 1402;

    /// <summary>The file system watcher reported an error.</summary>
    public const int WatcherError = 1403;

    /// <summary>A compiler warning of a watched C# file, as <c>file(line,column): warning</c>.</summary>
    public const int WatcherCompileWarning = 1404;

    // The JavaScript runtime (1500-1599).

    /// <summary>An engine was discarded after a failed call (Debug).</summary>
    public const int JavaScriptEngineDiscarded = 1500;

    /// <summary>An engine was recycled after many calls or much memory held (Debug).</summary>
    public const int JavaScriptEngineRecycled = 1501;

    // The C# runtime (1600-1699).

    /// <summary>A C# function ran past its timeout and ignored its cancellation token; its work was abandoned.</summary>
    public const int CSharpAbandoned = 1600;

    /// <summary>A C# function threw.</summary>
    public const int CSharpHandlerThrew = 1601;

    /// <summary>A compiled image could not be read from the store; the source is compiled instead.</summary>
    public const int CSharpImageReadFailed = 1602;

    /// <summary>A compiled image could not be saved in the store.</summary>
    public const int CSharpImageSaveFailed = 1603;

    /// <summary>The C# compiler warmed up.</summary>
    public const int CSharpWarmedUp = 1604;

    /// <summary>The C# compiler's warm-up failed.</summary>
    public const int CSharpWarmUpFailed = 1605;

    /// <summary>A compiled image from the store does not load; the source is compiled instead.</summary>
    public const int CSharpBadImage = 1606;

    /// <summary>A C# version is being unloaded (Debug).</summary>
    public const int CSharpUnloading = 1607;

    /// <summary>A C# version's load code did not finish within the load limit; the load was refused.</summary>
    public const int CSharpLoadAbandoned = 1608;

    /// <summary>A compiled image in the store fails this build's checks; the source is compiled instead.</summary>
    public const int CSharpImageRefused = 1609;

    // Function configuration (1700-1799).

    /// <summary>A secret a version names is not set in the host's configuration.</summary>
    public const int SecretMissing = 1750;

    // Needle.Observability's cluster health (#15), from the end of its range (2990-2999).

    /// <summary>Needle.Observability could not publish this node's health windows to the store (or read the cluster's back).</summary>
    public const int HealthPublishFailed = ObservabilityLast - 9;

    // The quality stage: test cases (1800-1849).

    /// <summary>A watched file's version failed its test cases; it was not deployed and the last good version keeps serving.</summary>
    public const int WatcherTestsFailed = 1800;

    /// <summary>One failing test case of a watched file's version, by name, with what differed.</summary>
    public const int WatcherTestCaseFailed = 1801;

    // Store outages (#15, cluster mode: serving through an outage of the store's database).

    /// <summary>The store's database cannot be reached; the node serves what it loaded and the control plane answers 503.</summary>
    public const int StoreUnavailable = 1960;

    /// <summary>The store's database answers again; the node reads the whole store once.</summary>
    public const int StoreAvailableAgain = 1961;

    /// <summary>The store could not be checked for changes while it is known to be unavailable (Debug; <see cref="StoreUnavailable"/> said so once).</summary>
    public const int StorePollFailedWhileUnavailable = 1962;

    // The store's change listener checks itself (#15, cluster mode: PgBouncer), from the end of Core's range.

    /// <summary>
    /// The node's change listener did not hear its own probe notification: it listens where notifications never
    /// arrive (behind PgBouncer in transaction mode); set <c>Postgres.ListenerConnectionString</c>. The poll carries changes.
    /// </summary>
    public const int StoreListenerDeaf = CoreLast - 9;

    /// <summary>The change listener could not send its probe notification through the store's connection string (Debug).</summary>
    public const int StoreListenerProbeFailed = CoreLast - 8;
}
