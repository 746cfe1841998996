using Needle.Access;
using Needle.Functions;
using Needle.Releases;
using Needle.Runtime.JavaScript;
using Needle.Store;

namespace Needle.Hosting;

/// <summary>Options of the Needle runtime, set through <c>AddNeedle(o =&gt; ...)</c> and validated at start.</summary>
public sealed class NeedleOptions
{
    /// <summary>
    /// Creates the store. Set it with <see cref="UseSqlite(string)"/> or <see cref="UsePostgres(string, Action{PostgresStoreOptions}?)"/>;
    /// when left unset, Needle uses SQLite with <c>Data Source=needle.db</c> in the content root.
    /// </summary>
    public Func<IServiceProvider, INeedleStore>? StoreFactory { get; set; }

    /// <summary>Limits for every function whose manifest leaves a limit out. Each member's default is documented on <see cref="FunctionLimits"/>.</summary>
    public FunctionLimits DefaultLimits { get; set; } = new();

    /// <summary>
    /// The most any manifest may ask for: a deploy or patch over one is refused (400, naming the field and the
    /// maximum), and a stored version asking for more runs with the maximum. A member set to <see langword="null"/>
    /// leaves that limit bounded only by its absolute range. Defaults: <c>TimeoutMs</c> 60,000; <c>MemoryMb</c> 512;
    /// <c>MaxStatements</c> 2,147,483,647 (the timeout bounds them); <c>MaxRecursionDepth</c> 10,000; <c>MaxConcurrency</c> 1,000;
    /// <c>MaxRequestBodyKb</c> 102,400 (100 MB); <c>MaxFetchResponseKb</c> and <c>MaxResponseKb</c> 65,536 (64 MB);
    /// <c>MaxLogLines</c> 10,000; <c>MaxLogKb</c> 4,096; <c>MaxFetchesInFlight</c> 256. <see cref="DefaultLimits"/> must not exceed them.
    /// </summary>
    public FunctionLimits MaxLimits { get; set; } = new()
    {
        TimeoutMs = 60_000,
        MemoryMb = 512,
        MaxStatements = int.MaxValue,
        MaxRecursionDepth = 10_000,
        MaxConcurrency = 1_000,
        MaxRequestBodyKb = 102_400,
        MaxFetchResponseKb = 65_536,
        MaxResponseKb = 65_536,
        MaxLogLines = 10_000,
        MaxLogKb = 4_096,
        MaxFetchesInFlight = 256,
    };

    /// <summary>How long a request waits for a free engine when a version runs at its concurrency limit, before it is answered 503. Default: 1 second.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The response header that names the version that served a request. Default: <c>Needle-Version</c>.</summary>
    public string VersionHeaderName { get; set; } = "Needle-Version";

    /// <summary>
    /// A key that scripts send in <see cref="ApiKeyHeaderName"/> to reach the control-plane API from another machine.
    /// Default: none (only local requests, or requests the host's authorization policy admits, reach the API).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// What counts as a local caller, who reaches the API, the console and pin headers without the API key or an
    /// authorization policy. Each member's default is documented on <see cref="LocalAccessOptions"/>.
    /// </summary>
    public LocalAccessOptions LocalAccess { get; set; } = new();

    /// <summary>The header that carries <see cref="ApiKey"/>. Default: <c>X-Needle-Api-Key</c>.</summary>
    public string ApiKeyHeaderName { get; set; } = "X-Needle-Api-Key";

    /// <summary>
    /// This host instance's id in the node table, unique in a cluster. Also read from configuration
    /// (<c>Needle:NodeId</c>); a value set in code wins. Default: <c>{machine name}-{process id}</c>, so two processes
    /// on one machine (or two containers, whose machine names differ) never share an id.
    /// </summary>
    public string NodeId { get; set; } = DefaultNodeId();

    /// <summary>
    /// How often this node writes its heartbeat to the node table: the revision and the versions it serves
    /// (<c>GET /nodes</c>). Off the request path; a failed beat is logged and the next one tries again. Default: 5 seconds.
    /// </summary>
    public TimeSpan NodeHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a node may go without a heartbeat before the others show it as gone and leave it out of convergence;
    /// it is live again at its next heartbeat. At least twice <see cref="NodeHeartbeatInterval"/>. Default: 30 seconds.
    /// </summary>
    public TimeSpan NodeGoneAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a gone node's row stays in the node table before it is deleted: node ids that name a process
    /// (the default <see cref="NodeId"/>) leave a new row behind at every restart. Longer than <see cref="NodeGoneAfter"/>.
    /// Default: 1 day.
    /// </summary>
    public TimeSpan NodeForgetAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often this node checks the store for changes made elsewhere (other nodes, other processes). Default: 2 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a changed file in a watched directory must stay unchanged before it deploys. Default: 250 ms.</summary>
    public TimeSpan WatchDebounce { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Directories whose <c>*.js</c> and <c>*.cs</c> files (with optional <c>name.json</c> manifests) deploy when they change. Default: none.</summary>
    public IList<string> WatchDirectories { get; } = [];

    /// <summary>The downstream services functions may reach with <c>ctx.fetch</c>, by name. Filled by <c>AddDownstream</c> on the Needle builder.</summary>
    public ISet<string> DownstreamServices { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Host-wide bounds of the JavaScript runtime: the memory ceiling of all engines, calls per engine.</summary>
    public JavaScriptRuntimeOptions JavaScript { get; set; } = new();

    /// <summary>How requests choose between stable and canary versions, and how many earlier versions stay warm.</summary>
    public ReleaseRoutingOptions Releases { get; set; } = new();

    /// <summary>Host limits of the quality stage: how many test cases a version may carry, how large, how many results are kept.</summary>
    public Quality.QualityOptions Quality { get; set; } = new();

    /// <summary>Uses a SQLite store (WAL mode) at the given connection string, for example <c>Data Source=needle.db</c>.</summary>
    public NeedleOptions UseSqlite(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        StoreFactory = _ => new Store.Sqlite.SqliteNeedleStore(connectionString, TimeProvider.System);
        Postgres = null;
        return this;
    }

    /// <summary>
    /// The PostgreSQL store when <see cref="UsePostgres(string, Action{PostgresStoreOptions}?)"/> was called, else
    /// <see langword="null"/>. Default: <see langword="null"/>.
    /// </summary>
    public PostgresStoreOptions? Postgres { get; private set; }

    /// <summary>
    /// Uses a PostgreSQL store that several host instances share (a cluster), for example
    /// <c>Host=db;Database=needle;Username=needle;Password=...</c>. Each node applies a change made on another within
    /// milliseconds (<c>LISTEN</c>/<c>NOTIFY</c>), and polls as a fallback. The connection string is checked at start.
    /// </summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="configure">Sets the listener's options (<see cref="PostgresStoreOptions"/>).</param>
    /// <returns>These options.</returns>
    public NeedleOptions UsePostgres(string connectionString, Action<PostgresStoreOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var postgres = new PostgresStoreOptions { ConnectionString = connectionString };
        configure?.Invoke(postgres);
        Postgres = postgres;
        StoreFactory = services => new Store.Postgres.PostgresNeedleStore(
            postgres.StoreConnectionString(),
            (TimeProvider?)services.GetService(typeof(TimeProvider)) ?? TimeProvider.System,
            (Store.StoreAvailability?)services.GetService(typeof(Store.StoreAvailability)));
        return this;
    }

    private static string DefaultNodeId() =>
        FormattableString.Invariant($"{Environment.MachineName}-{Environment.ProcessId}");
}
