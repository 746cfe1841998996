using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Needle.Hosting;
using Needle.Store;
using Npgsql;

namespace Needle.Store.Postgres;

/// <summary>
/// The node's one dedicated <c>LISTEN needle_changes</c> connection: every revision another node commits is announced
/// within milliseconds. It reconnects with back-off (100 ms doubling up to the configured maximum) and asks for a full
/// resync after every (re)connect, because notifications sent while it was away are lost. Npgsql's keepalive query
/// (after <see cref="PostgresStoreOptions.ListenerKeepAlive"/> of silence) must be answered within another keepalive
/// period, so a connection a network silently drops (no FIN, no RST) is replaced within about twice the keepalive;
/// TCP keepalive is on as well. After every (re)connect it sends itself a probe notification through the store's own
/// connection string and warns when it does not come back (a listener behind PgBouncer in transaction mode hears
/// nothing); a probe that cannot be sent is sent again (1 s doubling up to the maximum reconnect delay) on the same
/// connection, which delivers changes meanwhile. Does nothing unless the store is PostgreSQL with notifications on.
/// </summary>
internal sealed partial class PostgresChangeListener : BackgroundService
{
    /// <summary>The application name of the listener's session, <c>needle-listener:{node id}</c> (see <c>pg_stat_activity</c>).</summary>
    public const string ApplicationNamePrefix = "needle-listener:";

    /// <summary>The start of a probe's payload: never a revision (those are digits only), so every node ignores it.</summary>
    public const string ProbePrefix = "probe:";

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);

    // The first wait before sending again a probe that could not be sent (or the maximum, when shorter); it doubles up
    // to ListenerMaxReconnectDelay.
    private static readonly TimeSpan FirstProbeRetry = TimeSpan.FromSeconds(1);

    private readonly PostgresStoreOptions? _options;
    private readonly string _nodeId;
    private readonly TimeSpan _pollInterval;
    private readonly Action<long> _announce;
    private readonly Action _resync;
    private readonly TimeProvider _time;
    private readonly StoreAvailability? _availability;
    private readonly StoreListenerStatus _status;
    private readonly ILogger<PostgresChangeListener> _logger;
    private Probe? _probe;

    public PostgresChangeListener(
        NeedleOptions options,
        Action<long> announce,
        Action resync,
        TimeProvider time,
        ILogger<PostgresChangeListener> logger,
        StoreAvailability? availability = null,
        StoreListenerStatus? status = null)
    {
        _options = options.Postgres is { Notifications: true } postgres ? postgres : null;
        _nodeId = options.NodeId;
        _pollInterval = options.PollInterval;
        _announce = announce;
        _resync = resync;
        _time = time;
        _logger = logger;
        _status = status ?? new StoreListenerStatus();

        // The listener speaks for the store's availability only when it reaches the same server the store does: a
        // separate listener address (PgBouncer beside a direct connection) can be down while the store answers.
        _availability = _options?.ListenerConnectionString is null ? availability : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options is null)
        {
            return;
        }

        var connectionString = ListenerConnectionString(_options, _nodeId);
        var delay = FirstDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += OnNotification;
                await connection.OpenAsync(stoppingToken).ConfigureAwait(false);
                await using (var listen = new NpgsqlCommand("LISTEN " + PostgresDialect.ChangeChannel, connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                LogConnected(_logger, _nodeId);
                _availability?.ReportSuccess();
                _resync();
                delay = FirstDelay;
                await ProbeAsync(connection, stoppingToken).ConfigureAwait(false);
                while (true)
                {
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The first sign of an outage: a server going away ends this connection at once, so the control
                // plane fails fast from now on instead of each call finding out for itself.
                if (StoreOutage.IsOutage(ex))
                {
                    _availability?.ReportFailure(ex);
                }

                LogDisconnected(_logger, delay.TotalMilliseconds, ex);
            }

            try
            {
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ListenerMaxReconnectDelay.Ticks));
        }
    }

    internal static string ListenerConnectionString(PostgresStoreOptions options, string nodeId)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.ListenerConnectionString ?? options.ConnectionString)
        {
            KeepAlive = PostgresStoreOptions.WholeSeconds(options.ListenerKeepAlive),
            TcpKeepAlive = true,
            Timeout = PostgresStoreOptions.WholeSeconds(options.ConnectTimeout),
            ApplicationName = SessionName(ApplicationNamePrefix, nodeId),

            // One long-lived session of its own: a pooled connection would go back to the pool still listening.
            Pooling = false,
        };
        return builder.ConnectionString;
    }

    // PostgreSQL keeps 63 bytes of an application name.
    private static string SessionName(string prefix, string nodeId) =>
        prefix.Length + nodeId.Length > 63 ? (prefix + nodeId)[..63] : prefix + nodeId;

    // The probe goes the way the store's changes go (the store's connection string, another session), so it comes back
    // only when a NOTIFY committed there reaches this session: behind PgBouncer in transaction mode it does not. Every
    // path ends in a verdict or a retry: a probe that cannot be sent (the store's side down or refusing at that moment)
    // is sent again with back-off (1 s doubling up to ListenerMaxReconnectDelay) while this connection goes on
    // delivering changes; an error on this connection itself, before or after the send, goes up and the connection is
    // replaced, whose next probe judges again. Until a probe is judged the status stays as it was: null (not known yet)
    // on the first connection, the last connection's verdict after a reconnect (the same path, so usually the same
    // answer); only a probe heard clears it, only one sent and not heard within ListenerKeepAlive reports deafness.
    private async Task ProbeAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        // One payload for every attempt on this connection: a send that failed after its NOTIFY committed (the answer
        // lost) still counts when it arrives during the back-off.
        var probe = new Probe(ProbePrefix + _nodeId + ":" + Guid.NewGuid().ToString("n"));
        Volatile.Write(ref _probe, probe);
        try
        {
            var longest = _options!.ListenerMaxReconnectDelay;
            var retry = FirstProbeRetry < longest ? FirstProbeRetry : longest;
            var alive = _time.GetTimestamp();
            while (!await TrySendProbeAsync(probe.Payload, retry, stoppingToken).ConfigureAwait(false))
            {
                if (await HearAsync(connection, probe, retry, stoppingToken).ConfigureAwait(false))
                {
                    _status.Report(null);
                    return;
                }

                // Npgsql sends its keepalive only in a wait longer than ListenerKeepAlive, which these need not be: a
                // connection the network silently dropped meanwhile is found out here, and goes up to be replaced.
                if (_time.GetElapsedTime(alive) >= _options.ListenerKeepAlive)
                {
                    await using var keepAlive = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = PostgresStoreOptions.WholeSeconds(_options.ListenerKeepAlive) };
                    await keepAlive.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                    alive = _time.GetTimestamp();
                }

                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, longest.Ticks));
            }

            var deadline = _options.ListenerKeepAlive;
            if (await HearAsync(connection, probe, deadline, stoppingToken).ConfigureAwait(false))
            {
                _status.Report(null);
                return;
            }

            _status.Report(string.Create(CultureInfo.InvariantCulture, $"the change listener hears no notifications: a probe sent through Postgres.ConnectionString did not come back within {deadline.TotalMilliseconds:F0} ms; LISTEN needs a session of its own (behind PgBouncer in transaction mode, set Postgres.ListenerConnectionString to a direct connection string); changes arrive by the poll (every {_pollInterval.TotalMilliseconds:F0} ms) meanwhile"));
            LogDeaf(_logger, _nodeId, deadline.TotalMilliseconds, _pollInterval.TotalMilliseconds);
        }
        finally
        {
            Volatile.Write(ref _probe, null);
        }
    }

    // Any failure of the sending session is the store's side (an outage the store itself reports), never this
    // connection's; only stopping ends the attempt. Npgsql does not give up opening a connection whose server accepted
    // it and never answers when the token is cancelled (it waits out ConnectTimeout: measured), so stopping leaves
    // such a send behind; it ends by its own timeouts and disposes its connection, its error observed.
    private async Task<bool> TrySendProbeAsync(string payload, TimeSpan retry, CancellationToken stoppingToken)
    {
        var send = SendProbeAsync(payload, stoppingToken);
        try
        {
            await send.WaitAsync(stoppingToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _ = send.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
        catch (Exception ex)
        {
            LogProbeFailed(_logger, retry.TotalMilliseconds, ex);
            return false;
        }
    }

    // Reads notifications on the listening connection (every change is delivered meanwhile) until the probe is heard
    // or the time is up, by the injected clock. An error on the connection goes up: it is replaced.
    private async Task<bool> HearAsync(NpgsqlConnection connection, Probe probe, TimeSpan time, CancellationToken stoppingToken)
    {
        var started = _time.GetTimestamp();
        while (!probe.Heard.Task.IsCompleted && _time.GetElapsedTime(started) is var elapsed && elapsed < time)
        {
            // Npgsql waits without end for a timeout of 0 ms: what is left rounds up to at least 1 ms.
            var left = Math.Ceiling((time - elapsed).TotalMilliseconds);
            await connection.WaitAsync((int)Math.Clamp(left, 1, int.MaxValue), stoppingToken).ConfigureAwait(false);
        }

        return probe.Heard.Task.IsCompleted;
    }

    private async Task SendProbeAsync(string payload, CancellationToken cancellationToken)
    {
        var store = new NpgsqlConnectionStringBuilder(_options!.ConnectionString)
        {
            Pooling = false,
            Timeout = PostgresStoreOptions.WholeSeconds(_options.ConnectTimeout),
            CommandTimeout = PostgresStoreOptions.WholeSeconds(_options.CommandTimeout),
            ApplicationName = SessionName("needle-probe:", _nodeId),
        };
        await using var sender = new NpgsqlConnection(store.ConnectionString);
        await sender.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", sender);
        notify.Parameters.AddWithValue("channel", PostgresDialect.ChangeChannel);
        notify.Parameters.AddWithValue("payload", payload);
        await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (long.TryParse(e.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            _announce(revision);
        }
        else if (Volatile.Read(ref _probe) is { } probe && e.Payload == probe.Payload)
        {
            probe.Heard.TrySetResult();
        }
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.StoreListenerConnected, Level = LogLevel.Information, Message = "Needle node {NodeId} listens for store changes.")]
    private static partial void LogConnected(ILogger logger, string nodeId);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.StoreListenerDisconnected, Level = LogLevel.Warning, Message = "The store's change listener is disconnected; reconnecting in {DelayMs} ms (the poll goes on meanwhile).")]
    private static partial void LogDisconnected(ILogger logger, double delayMs, Exception exception);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.StoreListenerDeaf, Level = LogLevel.Warning, Message = "Needle node {NodeId}'s change listener hears no notifications: a probe sent through Postgres.ConnectionString did not come back within {TimeoutMs} ms. LISTEN needs a session of its own: behind PgBouncer in transaction mode, set Postgres.ListenerConnectionString to a direct (or session-pooled) connection string. Changes arrive by the poll (every {PollMs} ms) meanwhile.")]
    private static partial void LogDeaf(ILogger logger, string nodeId, double timeoutMs, double pollMs);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.StoreListenerProbeFailed, Level = LogLevel.Debug, Message = "The store's change listener could not send its probe notification through Postgres.ConnectionString; trying again in {DelayMs} ms, on the same listening connection.")]
    private static partial void LogProbeFailed(ILogger logger, double delayMs, Exception exception);

    private sealed class Probe(string payload)
    {
        public string Payload { get; } = payload;

        public TaskCompletionSource Heard { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
