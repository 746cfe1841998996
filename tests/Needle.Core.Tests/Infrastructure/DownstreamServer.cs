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

/// <summary>
/// A real downstream service on 127.0.0.1 for ctx.fetch: fixed JSON, a slow endpoint, a big body, an echo, redirects,
/// the headers and raw target it received (under <c>/api/v1/</c> too, for a service with a base path), and a request
/// that hangs until it is cancelled (counted).
/// </summary>
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

    /// <summary>Requests to <c>/hang</c> that arrived, and those of them whose caller went away.</summary>
    public int HangStarted;

    public int HangCancelled;

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
        app.Map("/redirect", (string to, int? status) => Results.Redirect(to, permanent: status is 301 or 308, preserveMethod: status is 307 or 308));
        app.Map("/api/v1/redirect", (string to) => Results.Redirect(to));
        app.Map("/loop", () => Results.Redirect("/loop"));
        app.Map("/headers", (HttpRequest request) => request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()));
        app.Map("/api/{**rest}", (HttpContext context) => new { target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget, method = context.Request.Method });
        app.MapGet("/hang", async (CancellationToken token) =>
        {
            Interlocked.Increment(ref server!.HangStarted);
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(5), token);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref server.HangCancelled);
            }

            return Results.Ok();
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
