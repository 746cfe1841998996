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
/// resync after every (re)connect, because notifications sent while it was away are lost. Npgsql keepalive queries and
/// TCP keepalive notice a dead connection. Does nothing unless the store is PostgreSQL with notifications on.
/// </summary>
internal sealed partial class PostgresChangeListener : BackgroundService
{
    /// <summary>The application name of the listener's session, <c>needle-listener:{node id}</c> (see <c>pg_stat_activity</c>).</summary>
    public const string ApplicationNamePrefix = "needle-listener:";

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);

    private readonly PostgresStoreOptions? _options;
    private readonly string _nodeId;
    private readonly Action<long> _announce;
    private readonly Action _resync;
    private readonly TimeProvider _time;
    private readonly StoreAvailability? _availability;
    private readonly ILogger<PostgresChangeListener> _logger;

    public PostgresChangeListener(
        NeedleOptions options,
        Action<long> announce,
        Action resync,
        TimeProvider time,
        ILogger<PostgresChangeListener> logger,
        StoreAvailability? availability = null)
    {
        _options = options.Postgres is { Notifications: true } postgres ? postgres : null;
        _nodeId = options.NodeId;
        _announce = announce;
        _resync = resync;
        _time = time;
        _logger = logger;

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
        var name = ApplicationNamePrefix + nodeId;
        var builder = new NpgsqlConnectionStringBuilder(options.ListenerConnectionString ?? options.ConnectionString)
        {
            KeepAlive = (int)Math.Ceiling(options.ListenerKeepAlive.TotalSeconds),
            TcpKeepAlive = true,
            Timeout = PostgresStoreOptions.WholeSeconds(options.ConnectTimeout),
            ApplicationName = name.Length > 63 ? name[..63] : name,

            // One long-lived session of its own: a pooled connection would go back to the pool still listening.
            Pooling = false,
        };
        return builder.ConnectionString;
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (long.TryParse(e.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            _announce(revision);
        }
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.StoreListenerConnected, Level = LogLevel.Information, Message = "Needle node {NodeId} listens for store changes.")]
    private static partial void LogConnected(ILogger logger, string nodeId);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.StoreListenerDisconnected, Level = LogLevel.Warning, Message = "The store's change listener is disconnected; reconnecting in {DelayMs} ms (the poll goes on meanwhile).")]
    private static partial void LogDisconnected(ILogger logger, double delayMs, Exception exception);
}
