using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Needle.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a server, to make the network misbehave the way real ones do.
/// <see cref="BlackHole"/> stops forwarding every current connection both ways while keeping its sockets open: the
/// bytes a client writes are taken and never answered, and no FIN or RST ever comes, like a route that drops packets.
/// New connections are still accepted and forwarded, unless <see cref="BlackHoleNew"/> is set, or
/// <see cref="RefuseNew"/>, which resets them at once like a server that is down.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Link, byte> _links = new();
    private readonly Task _accepting;
    private int _accepted;

    private TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The port the proxy listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>How many connections the proxy has accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>When set, connections accepted from now on are black-holed from their first byte.</summary>
    public bool BlackHoleNew { get; set; }

    /// <summary>
    /// When set, connections accepted from now on are reset at once (RST, nothing forwarded), as by a server that is
    /// down or refuses connections at that moment; connections already forwarded go on. Counted in <see cref="Accepted"/>.
    /// </summary>
    public bool RefuseNew { get; set; }

    /// <summary>Starts a proxy in front of <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static TcpProxy Start(string host, int port) => new(host, port);

    /// <summary>Starts a proxy in front of the server a PostgreSQL connection string names.</summary>
    public static TcpProxy ForPostgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return Start(builder.Host!, builder.Port);
    }

    /// <summary>The connection string with its host and port replaced by the proxy's.</summary>
    public string Through(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port }.ConnectionString;

    /// <summary>Stops forwarding on every current connection, both ways, and keeps their sockets open.</summary>
    public void BlackHole()
    {
        foreach (var link in _links.Keys)
        {
            link.BlackHoled = true;
        }
    }

    /// <summary>Stops the proxy and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var link in _links.Keys)
        {
            link.Dispose();
        }

        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _accepted);
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        if (RefuseNew)
        {
            // A zero linger turns the close into a reset.
            client.Client.LingerState = new LingerOption(true, 0);
            client.Dispose();
            return;
        }

        var server = new TcpClient();
        var link = new Link(client, server) { BlackHoled = BlackHoleNew };
        _links.TryAdd(link, 0);
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            await Task.WhenAny(
                PumpAsync(link, client.GetStream(), server.GetStream()),
                PumpAsync(link, server.GetStream(), client.GetStream()));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side went away: the other is closed below, as a real proxy does.
        }
        finally
        {
            _links.TryRemove(link, out _);
            link.Dispose();
        }
    }

    private async Task PumpAsync(Link link, NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }

            if (link.BlackHoled)
            {
                // The bytes are lost and the connection stays open: nothing more is read or written on it.
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    private sealed class Link(TcpClient client, TcpClient server) : IDisposable
    {
        public volatile bool BlackHoled;

        public void Dispose()
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
