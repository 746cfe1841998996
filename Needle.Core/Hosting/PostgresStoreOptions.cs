namespace Needle.Hosting;

/// <summary>
/// The PostgreSQL store of a cluster, set through <see cref="NeedleOptions.UsePostgres(string, Action{PostgresStoreOptions}?)"/>
/// and validated at start. Every node of the cluster points at the same database.
/// </summary>
public sealed class PostgresStoreOptions
{
    /// <summary>The Npgsql connection string of the store, for example <c>Host=db;Database=needle;Username=needle;Password=...</c>. Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// The connection string of the node's one <c>LISTEN</c> connection, when it must differ from
    /// <see cref="ConnectionString"/>: <c>LISTEN</c> needs a session of its own, so behind PgBouncer in transaction
    /// mode point this straight at PostgreSQL (or at a session-mode pool). A listener that does not hear the probe
    /// notification it sends itself after connecting logs a warning (event 1990) and makes the health check Degraded;
    /// the poll carries changes meanwhile. Default: <see cref="ConnectionString"/>.
    /// </summary>
    public string? ListenerConnectionString { get; set; }

    /// <summary>
    /// Whether the node listens for <c>NOTIFY needle_changes</c> and applies a change made on another node within
    /// milliseconds. When off, only the poll (<see cref="NeedleOptions.PollInterval"/>) picks changes up. Default: true.
    /// </summary>
    public bool Notifications { get; set; } = true;

    /// <summary>
    /// How long the listener connection may stay silent before Npgsql sends a keepalive query, which must be answered
    /// within another such period: a dead connection (a failover, a dropped NAT entry, a network that drops packets
    /// without a FIN or RST) is noticed and replaced within about twice this; TCP keepalive is on as well. It is also
    /// how long the listener waits, after each (re)connect, for the probe notification it sends itself through
    /// <see cref="ConnectionString"/>. Default: 10 seconds.
    /// </summary>
    public TimeSpan ListenerKeepAlive { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest wait between two attempts to reconnect the listener; waits start at 100 ms and double up to it.
    /// After every reconnect the node reads the whole store once, since notifications sent while it was away are lost.
    /// Also the longest wait before the listener sends again a probe notification it could not send through
    /// <see cref="ConnectionString"/> (those waits start at 1 second, on the same listening connection). Default: 5 seconds.
    /// </summary>
    public TimeSpan ListenerMaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long opening a connection to the store may take before the call fails (Npgsql's <c>Timeout</c>, in whole
    /// seconds, set over the connection string's). Short, so that an unreachable database is noticed quickly and the
    /// control plane answers 503 instead of hanging (the schema's migration at start may wait longer). Default: 5 seconds.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one store statement may run before it fails (Npgsql's <c>Command Timeout</c>, in whole seconds, set
    /// over the connection string's); waiting on another node's schema migration is exempt. On a connection a network
    /// silently dropped, the call ends after this plus Npgsql's attempt to cancel the statement on a new connection
    /// (about <see cref="ConnectTimeout"/> and 2 seconds more: 6 s measured for 2 s and 2 s), and the store then
    /// counts as unavailable, so later calls fail at once. Default: 10 seconds.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// While the store cannot be reached, how often one call goes through to try it again; every other call fails at
    /// once with 503 and this as its <c>Retry-After</c>. The listener reconnecting also ends the outage. Default: 2 seconds.
    /// </summary>
    public TimeSpan UnavailableProbeInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The store's connection string with <see cref="ConnectTimeout"/> and <see cref="CommandTimeout"/> applied.</summary>
    internal string StoreConnectionString() =>
        new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Timeout = WholeSeconds(ConnectTimeout),
            CommandTimeout = WholeSeconds(CommandTimeout),
        }.ConnectionString;

    internal static int WholeSeconds(TimeSpan value) => (int)Math.Ceiling(value.TotalSeconds);
}
