using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Press.Infrastructure.Tests.Jobs;

/// <summary>Every log line of the in-process workers, with the time and the worker's name, for assertion messages.</summary>
public sealed class TestLog
{
    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger<T> For<T>(string worker) => new Logger<T>(this, worker);

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public bool Contains(string fragment) => _lines.Any(l => l.Contains(fragment, StringComparison.Ordinal));

    public string Describe() => "\n----- worker log -----\n" + string.Join("\n", _lines);

    private sealed class Logger<T>(TestLog log, string worker) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {worker} {logLevel}: {formatter(state, exception)}");
    }
}
