using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging;
using Needle.Hosting;
using Needle.Store.Postgres;
using Needle.Telemetry;
using Npgsql;

namespace Needle.Tests.Store;

/// <summary>
/// The PostgreSQL change listener's probe when it cannot be sent: the store's connection string goes through a
/// <see cref="TcpProxy"/> that refuses connections at first (the store's side briefly down), the listener on a real
/// path of its own (direct, or PgBouncer in transaction mode where it is deaf). The probe must be sent again on the
/// same listening connection until it is judged, the listener delivering changes meanwhile, and stopping must not wait
/// for the back-off.
/// </summary>
[TestClass]
public sealed class PostgresChangeListenerTests
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(2);

    [TestMethod]
    public async Task Probe_StoreRefusedAtFirstListenerThroughPgBouncer_IsSentAgainAndReportsTheListenerDeaf()
    {
        // Arrange: the listener behind PgBouncer in transaction mode (deaf); the store's side refuses for now.
        var bouncer = await PgBouncerServer.SharedAsync();
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var store = TcpProxy.ForPostgres(database);
        store.RefuseNew = true;
        await using var listener = await Listener.StartAsync("deaf-node", store.Through(database), bouncer.Through(database), TimeSpan.FromSeconds(1));

        // Act: the probe is refused, and refused again; then the store's side comes back.
        await Eventually.WaitAsync(() => listener.Refused >= 2, "the refused probe to be sent again", TimeSpan.FromSeconds(20));
        var whileRefused = listener.Status.Problem;
        store.RefuseNew = false;

        // Assert: nothing judged while it could not be sent; once sent, not heard within the keepalive: reported deaf,
        // once, naming the option to set.
        Assert.IsNull(whileRefused, "a probe not sent says nothing about the listener");
        await Eventually.WaitAsync(() => listener.Status.Problem is not null, "the listener to be judged deaf once the probe is sent", TimeSpan.FromSeconds(30));
        StringAssert.Contains(listener.Status.Problem, "Postgres.ListenerConnectionString");

        // The status is reported a moment before the warning is logged.
        await Eventually.WaitAsync(() => listener.Logs.Entries.Any(e => e.EventId.Id == NeedleEventIds.StoreListenerDeaf), "the listener's deafness to be logged");
        var deaf = listener.Logs.Entries.Where(e => e.EventId.Id == NeedleEventIds.StoreListenerDeaf).ToList();
        Assert.HasCount(1, deaf);
        StringAssert.Contains(deaf[0].Message, "PgBouncer in transaction mode");
    }

    [TestMethod]
    public async Task Probe_StoreRefusedAtFirstListenerDirect_DeliversChangesMeanwhileAndClearsTheStatusOnceHeard()
    {
        // Arrange: a direct listener whose last connection was judged deaf; the store's side refuses for now.
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var store = TcpProxy.ForPostgres(database);
        store.RefuseNew = true;
        var status = new StoreListenerStatus();
        status.Report("an earlier connection's verdict");
        await using var listener = await Listener.StartAsync("direct-node", store.Through(database), database, TimeSpan.FromSeconds(1), status: status);
        await Eventually.WaitAsync(() => listener.Refused >= 1, "the probe to be refused", TimeSpan.FromSeconds(20));

        // Act: a change is announced while the probe cannot be sent; then the store's side comes back.
        await NotifyAsync(database, "42");
        await Eventually.WaitAsync(() => listener.Announced.Contains(42), "the listener to deliver revision 42 while its probe is refused");
        await Eventually.WaitAsync(() => listener.Refused >= 2, "the refused probe to be sent again", TimeSpan.FromSeconds(20));
        var whileRefused = status.Problem;
        store.RefuseNew = false;

        // Assert: the earlier verdict stands until a probe is judged, and the probe heard clears it.
        Assert.AreEqual("an earlier connection's verdict", whileRefused);
        await Eventually.WaitAsync(() => status.Problem is null, "the probe, sent once the store is back, to be heard", TimeSpan.FromSeconds(30));
    }

    [TestMethod]
    public async Task Probe_ListenerDroppedSilentlyWhileTheProbeIsRefused_ReplacesTheConnectionAndHearsAgain()
    {
        // Arrange: the listener through a proxy that will drop its packets; the store's side refuses throughout, so
        // the waits between attempts (1 s) are shorter than the keepalive (2 s) and Npgsql would send none.
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var store = TcpProxy.ForPostgres(database);
        store.RefuseNew = true;
        await using var path = TcpProxy.ForPostgres(database);
        await using var listener = await Listener.StartAsync("dropped-node", store.Through(database), path.Through(database), TimeSpan.FromSeconds(1), connectTimeout: TimeSpan.FromSeconds(2));
        await Eventually.WaitAsync(() => listener.Refused >= 1, "the probe to be refused", TimeSpan.FromSeconds(20));

        // Act
        path.BlackHole();

        // Assert: the dead connection is found out while the probe is retried, replaced, and the new one delivers.
        await Eventually.WaitAsync(() => listener.Logs.Entries.Any(e => e.EventId.Id == NeedleEventIds.StoreListenerDisconnected), "the silently dropped listener to be found out", TimeSpan.FromSeconds(30));
        await Eventually.WaitAsync(
            async () =>
            {
                await NotifyAsync(database, "7");
                return listener.Announced.Contains(7);
            },
            "the new listener connection to deliver revision 7",
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(500));
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Stop_WhileTheProbeWaitsToBeSentAgain_EndsPromptly()
    {
        // Arrange: the waits between attempts grow to a minute; the store's side refuses throughout.
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var store = TcpProxy.ForPostgres(database);
        store.RefuseNew = true;
        await using var listener = await Listener.StartAsync("stopping-node", store.Through(database), database, TimeSpan.FromMinutes(1));

        // Three attempts (1 s, then 2 s apart): the listener now waits 4 s before the fourth (8 s before the fifth, if
        // a slow machine saw the fourth first).
        var refused = await Eventually.ValueAsync(() => Task.FromResult(listener.Refused), n => n >= 3, "three refused probes", TimeSpan.FromSeconds(30));

        // Act
        var stopping = Stopwatch.StartNew();
        await listener.Service.StopAsync(CancellationToken.None);
        stopping.Stop();

        // Assert: well within the wait in progress.
        System.Console.WriteLine($"stopped {stopping.Elapsed.TotalMilliseconds:F0} ms into the back-off after {refused} refused probes");
        Assert.IsTrue(listener.Service.ExecuteTask!.IsCompleted);
        Assert.IsLessThan(TimeSpan.FromSeconds(3), stopping.Elapsed);
        Assert.AreEqual(refused, listener.Refused, "no attempt after stopping");
        var delays = listener.Logs.Entries.Where(e => e.EventId.Id == NeedleEventIds.StoreListenerProbeFailed).Select(e => e.Message).ToList();
        StringAssert.Contains(delays[0], "trying again in 1000 ms");
        StringAssert.Contains(delays[1], "trying again in 2000 ms");
        StringAssert.Contains(delays[2], "trying again in 4000 ms");
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Stop_WhileTheProbeSendHangs_EndsPromptly()
    {
        // Arrange: the store's side takes connections and never answers; the send could wait 30 s to connect.
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var store = TcpProxy.ForPostgres(database);
        store.BlackHoleNew = true;
        await using var listener = await Listener.StartAsync("hanging-node", store.Through(database), database, TimeSpan.FromMinutes(1), connectTimeout: TimeSpan.FromSeconds(30));
        await Eventually.WaitAsync(() => store.Accepted >= 1, "the probe's connection to hang", TimeSpan.FromSeconds(20));

        // Act
        var stopping = Stopwatch.StartNew();
        await listener.Service.StopAsync(CancellationToken.None);
        stopping.Stop();

        // Assert
        System.Console.WriteLine($"stopped {stopping.Elapsed.TotalMilliseconds:F0} ms into a hanging probe");
        Assert.IsTrue(listener.Service.ExecuteTask!.IsCompleted);
        Assert.IsLessThan(TimeSpan.FromSeconds(5), stopping.Elapsed);
    }

    private static async Task NotifyAsync(string database, string payload)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.ExecuteAsync("SELECT pg_notify(@channel, @payload)", new { channel = PostgresDialect.ChangeChannel, payload });
    }

    // A real listener on its own, outside a host: a host could not start while its store refuses connections.
    private sealed class Listener : IAsyncDisposable
    {
        private readonly ILoggerFactory _loggers;

        private Listener(PostgresChangeListener service, StoreListenerStatus status, ConcurrentQueue<long> announced, LogCapture logs, ILoggerFactory loggers)
        {
            Logs = logs;
            Service = service;
            Status = status;
            Announced = announced;
            _loggers = loggers;
        }

        public PostgresChangeListener Service { get; }

        public StoreListenerStatus Status { get; }

        public ConcurrentQueue<long> Announced { get; }

        // Debug and above: every probe that could not be sent logs 1991 at Debug.
        public LogCapture Logs { get; }

        // How many times the probe could not be sent (not the proxy's connections: Npgsql may open two for one try).
        public int Refused => Logs.Entries.Count(e => e.EventId.Id == NeedleEventIds.StoreListenerProbeFailed);

        public static async Task<Listener> StartAsync(string nodeId, string store, string listener, TimeSpan maxReconnectDelay, StoreListenerStatus? status = null, TimeSpan? connectTimeout = null)
        {
            var options = new NeedleOptions { NodeId = nodeId, PollInterval = TimeSpan.FromMinutes(10) };
            options.UsePostgres(store, p =>
            {
                p.ListenerConnectionString = listener;
                p.ListenerKeepAlive = KeepAlive;
                p.ListenerMaxReconnectDelay = maxReconnectDelay;
                p.ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(5);
            });
            var logs = new LogCapture(LogLevel.Debug);
            var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
            var announced = new ConcurrentQueue<long>();
            status ??= new StoreListenerStatus();
            var service = new PostgresChangeListener(options, announced.Enqueue, () => { }, TimeProvider.System, loggers.CreateLogger<PostgresChangeListener>(), status: status);
            await service.StartAsync(CancellationToken.None);
            return new Listener(service, status, announced, logs, loggers);
        }

        public async ValueTask DisposeAsync()
        {
            await Service.StopAsync(CancellationToken.None);
            Service.Dispose();
            _loggers.Dispose();
        }
    }
}
