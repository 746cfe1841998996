using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Needle.Tests.Infrastructure;

/// <summary>
/// A real downstream service on 127.0.0.1 for ctx.fetch: fixed JSON, a slow endpoint, a big body, an echo, redirects,
/// the headers and raw target it received (under <c>/api/v1/</c> too, for a service with a base path), and a request
/// that hangs until it is cancelled (counted).
/// </summary>
public sealed class DownstreamServer : IAsyncDisposable
{
    private LoopbackServer? _server;

    public Uri Address => _server!.Address;

    public int Calls;

    /// <summary>Requests to <c>/slow</c> that arrived (a function's fetch now in flight).</summary>
    public int SlowStarted;

    /// <summary>Requests to <c>/hang</c> that arrived, and those of them whose caller went away.</summary>
    public int HangStarted;

    public int HangCancelled;

    public static async Task<DownstreamServer> StartAsync()
    {
        var server = new DownstreamServer();
        server._server = await LoopbackServer.StartAsync(app => Map(app, server));
        return server;
    }

    public ValueTask DisposeAsync() => _server!.DisposeAsync();

    private static void Map(WebApplication app, DownstreamServer server)
    {
        app.Use((context, next) =>
        {
            Interlocked.Increment(ref server.Calls);
            return next(context);
        });
        app.MapGet("/users/{id:int}", (int id) => new { id, name = $"User {id}" });
        app.MapGet("/slow", async (int ms, CancellationToken token) =>
        {
            Interlocked.Increment(ref server.SlowStarted);
            await Task.Delay(ms, token);
            return new { waited = ms };
        });
        app.MapGet("/big", (int kb) => Results.Text(new string('x', kb * 1024)));

        // The body given as hex, with the content type given: byte order marks, invalid UTF-8, other charsets.
        app.MapGet("/raw", (string hex, string type) => Results.Bytes(Convert.FromHexString(hex), type));
        app.MapPost("/echo", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            return Results.Text(await reader.ReadToEndAsync(), request.ContentType ?? "text/plain");
        });
        app.Map("/redirect", (string to, int? status) => Results.Redirect(to, permanent: status is 301 or 308, preserveMethod: status is 307 or 308));
        app.Map("/api/v1/redirect", (string to) => Results.Redirect(to));
        app.Map("/loop", () => Results.Redirect("/loop"));
        app.MapGet("/answer-headers", (HttpResponse response) =>
        {
            response.Headers.CacheControl = "max-age=60, public";
            response.Headers.Server = "nginx/1.2 (Ubuntu)";
            response.Headers.Append("X-Tag", new[] { "a", "b" });
            return new { ok = true };
        });
        app.Map("/headers", (HttpRequest request) => request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()));
        app.Map("/api/{**rest}", (HttpContext context) => new { target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget, method = context.Request.Method });
        app.MapGet("/hang", async (CancellationToken token) =>
        {
            Interlocked.Increment(ref server.HangStarted);
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
    }
}
