using System.Net;
using System.Net.Sockets;

namespace Needle.Testing;

/// <summary>Ports on 127.0.0.1 that nothing listens on at the moment of asking (another process may take one before it is used).</summary>
public static class FreePort
{
    /// <summary>A port the OS would hand out now.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary><c>http://127.0.0.1:{port}</c> on a free port.</summary>
    public static Uri NextLoopbackUrl() => new($"http://127.0.0.1:{Next()}");
}
