using Microsoft.AspNetCore.Builder;

namespace Needle.Testing;

/// <summary>A small real HTTP server on 127.0.0.1 (a downstream service for <c>ctx.fetch</c>, a stand-in backend), with the endpoints a test maps.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app)
    {
        _app = app;
        Address = NeedleTestHost.ListeningAddress(app);
    }

    /// <summary>The server's root, ending in <c>/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Starts a server with what <paramref name="map"/> adds (middleware and endpoints).</summary>
    public static async Task<LoopbackServer> StartAsync(Action<WebApplication> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var app = NeedleTestHost.CreateBuilder(environment: "Production").Build();
        map(app);
        await app.StartAsync();
        return new LoopbackServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
