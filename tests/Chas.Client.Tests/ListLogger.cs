using Microsoft.Extensions.Logging;

namespace Chas.Client.Tests;

/// <summary>Keeps every formatted log message, so a test can see what was logged.</summary>
public sealed class ListLogger : ILogger
{
    private readonly Lock _lock = new();
    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Messages { get { lock (_lock) return [.. _messages]; } }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock) _messages.Add(formatter(state, exception));
    }
}
