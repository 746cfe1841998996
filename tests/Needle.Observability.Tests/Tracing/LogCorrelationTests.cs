using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Needle.Observability.Tests.Infrastructure;

namespace Needle.Observability.Tests.Tracing;

/// <summary>Function logs carry the trace id (a scope) and the request id.</summary>
[TestClass]
public sealed class LogCorrelationTests
{
    [TestMethod]
    public async Task FunctionLog_WithObservability_CarriesTraceIdScopeAndRequestId()
    {
        var provider = new CapturingProvider();
        var host = await TestHost.StartAsync(needle: n => n.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Information).AddProvider(provider)));
        await using (host)
        {
            await host.DeployAsync("chatty", "export default (req, ctx) => { ctx.log.info('said hello'); return 1; };");
            await host.GetAsync("/fn/chatty");
        }

        var entry = provider.Entries.Single(e => e.Message.Contains("said hello", StringComparison.Ordinal));
        Assert.IsTrue(entry.Scopes.TryGetValue("TraceId", out var traceId) && traceId?.Length == 32, string.Join(", ", entry.Scopes));
        Assert.IsTrue(entry.Scopes.TryGetValue("RequestId", out var requestId) && entry.Message.Contains(requestId!, StringComparison.Ordinal), entry.Message);
    }

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
