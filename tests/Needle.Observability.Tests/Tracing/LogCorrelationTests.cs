using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Needle.Observability.Tests.Tracing;

/// <summary>Function logs carry the trace id (a scope) and the request id.</summary>
[TestClass]
public sealed class LogCorrelationTests
{
    [TestMethod]
    public async Task FunctionLog_WithObservability_CarriesTraceIdScopeAndRequestId()
    {
        var provider = new CapturingProvider();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(provider);
        var directory = Directory.CreateTempSubdirectory("needle-obs-logs-");
        builder.Services.AddNeedle(o => o.UseSqlite($"Data Source={Path.Combine(directory.FullName, "needle.db")}")).AddObservability();
        await using var app = builder.Build();
        app.MapNeedle();
        app.MapNeedleApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        using var deploy = await client.PostAsync("/needle/api/functions/chatty/versions", JsonContent("{\"source\":\"export default (req, ctx) => { ctx.log.info('said hello'); return 1; };\"}"));
        Assert.IsTrue(deploy.IsSuccessStatusCode, await deploy.Content.ReadAsStringAsync());

        using var response = await client.GetAsync("/fn/chatty");
        await app.StopAsync();

        var entry = provider.Entries.Single(e => e.Message.Contains("said hello", StringComparison.Ordinal));
        Assert.IsTrue(entry.Scopes.TryGetValue("TraceId", out var traceId) && traceId?.Length == 32, string.Join(", ", entry.Scopes));
        Assert.IsTrue(entry.Scopes.TryGetValue("RequestId", out var requestId) && entry.Message.Contains(requestId!, StringComparison.Ordinal), entry.Message);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private sealed record Entry(string Message, Dictionary<string, string?> Scopes);

    private sealed class CapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(CapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new Dictionary<string, string?>();
                owner._scopes.ForEachScope(
                    (scope, into) =>
                    {
                        if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                        {
                            foreach (var (key, value) in pairs)
                            {
                                into[key] = value?.ToString();
                            }
                        }
                    },
                    scopes);
                owner.Entries.Enqueue(new Entry(formatter(state, exception), scopes));
            }
        }
    }
}
