using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Needle.Testing;

/// <summary>
/// A logger provider that keeps every entry at Warning and above (or at the level given); register it as an
/// <see cref="ILoggerProvider"/> service (a lower level also needs the logging's own minimum lowered).
/// </summary>
/// <param name="minimum">The lowest level kept. Default: Warning.</param>
public sealed class LogCapture(LogLevel minimum = LogLevel.Warning) : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, string Message)> Entries { get; } = new();

    /// <summary>The lowest level kept.</summary>
    public LogLevel Minimum { get; } = minimum;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Entries.Enqueue((category, logLevel, eventId, formatter(state, exception)));
            }
        }
    }
}
