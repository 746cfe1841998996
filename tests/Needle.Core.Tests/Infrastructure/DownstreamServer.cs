using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Needle.Tests.Infrastructure;

/// <summary>A real downstream service on 127.0.0.1 for ctx.fetch: fixed JSON, a slow endpoint, a big body, an echo.</summary>
internal sealed class DownstreamServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DownstreamServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public int Calls;

    public static async Task<DownstreamServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        DownstreamServer? server = null;
        app.Use((context, next) =>
        {
            Interlocked.Increment(ref server!.Calls);
            return next(context);
        });
        app.MapGet("/users/{id:int}", (int id) => new { id, name = $"User {id}" });
        app.MapGet("/slow", async (int ms, CancellationToken token) =>
        {
            await Task.Delay(ms, token);
            return new { waited = ms };
        });
        app.MapGet("/big", (int kb) => Results.Text(new string('x', kb * 1024)));
        app.MapPost("/echo", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            return Results.Text(await reader.ReadToEndAsync(), request.ContentType ?? "text/plain");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server = new DownstreamServer(app, new Uri(address + "/"));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
