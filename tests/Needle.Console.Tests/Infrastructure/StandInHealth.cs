using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Needle.Console.Tests.Infrastructure;

/// <summary>
/// Health windows in the shape Needle.Observability's <c>GET {api}/health</c> answers, counted from the real
/// function responses (the Needle-Version and Needle-Release headers). It stands in until Needle.Observability is on main, so the
/// console's live numbers are tested against real traffic.
/// </summary>
internal sealed class StandInHealth
{
    private readonly ConcurrentQueue<(long At, string Function, int Version, string Role, bool Error, double Ms)> _calls = new();

    public void Map(WebApplication app, RouteGroupBuilder api)
    {
        app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            await next(context);
            if (context.Response.Headers["Needle-Version"].ToString() is { Length: > 0 } label && label.Split('@') is [var function, var number])
            {
                _calls.Enqueue((Environment.TickCount64, function, int.Parse(number, System.Globalization.CultureInfo.InvariantCulture), context.Response.Headers["Needle-Release"].ToString(), context.Response.StatusCode >= 500, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            }
        });
        api.MapGet("/health", () => Summary());
    }

    private object Summary()
    {
        var now = Environment.TickCount64;
        var calls = _calls.Where(c => now - c.At <= 300_000).ToList();
        string[] windows = ["10s", "1m", "5m"];
        object Windows(IEnumerable<(long At, string Function, int Version, string Role, bool Error, double Ms)> list) => new[] { 10, 60, 300 }.Select(seconds =>
        {
            var inWindow = list.Where(c => now - c.At <= seconds * 1000).ToList();
            var sorted = inWindow.Select(c => c.Ms).Order().ToList();
            double? P(double q) => sorted.Count == 0 ? null : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
            return new
            {
                window = seconds == 10 ? "10s" : seconds == 60 ? "1m" : "5m",
                seconds,
                requests = inWindow.Count,
                errors = inWindow.Count(c => c.Error),
                rate = inWindow.Count / (double)seconds,
                errorRatio = inWindow.Count == 0 ? 0 : inWindow.Count(c => c.Error) / (double)inWindow.Count,
                p50Ms = P(0.5),
                p95Ms = P(0.95),
                p99Ms = P(0.99),
            };
        }).ToList();
        var functions = calls.GroupBy(c => c.Function).Select(g => new
        {
            function = g.Key,
            stableVersion = g.LastOrDefault(c => c.Role == "stable").Version,
            canaryVersion = g.Any(c => c.Role == "canary") ? g.Last(c => c.Role == "canary").Version : (int?)null,
            windows = Windows(g),
            lastError = (object?)null,
            versions = g.GroupBy(c => c.Version).Select(v => new { function = g.Key, version = v.Key, role = v.Last().Role, windows = Windows(v), lastError = (object?)null }).ToList(),
        }).ToList();
        return new { at = DateTimeOffset.UtcNow, nodeId = "console-test-node", appliedRevision = 0, windows, functions };
    }
}
