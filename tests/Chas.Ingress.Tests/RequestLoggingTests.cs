using System.Collections.Concurrent;
using Chas.Ingress.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Chas.Ingress.Tests;

public sealed class RequestLoggingTests
{
    [Fact]
    public async Task Each_request_is_logged_once_with_status_and_deployment()
    {
        var lines = new LineCollector();
        await using var h = await IngressHarness.StartAsync(o => o with { RequestLogging = true }, configure: (_, b) =>
        {
            b.Logging.AddProvider(lines);
            b.Logging.AddFilter<LineCollector>("Chas.Ingress", LogLevel.Information);
        });
        await h.AddBackendsAsync("web", 1);
        await h.DeployAsync("web", "web", 1);
        await h.WaitForDestinationsAsync("web.default.localhost", 1);

        await h.GetAsync("web.default.localhost", "/hello");
        await h.GetAsync("nothing.default.localhost", "/x");

        Assert.Single(lines.Lines, l => l.StartsWith("GET web.default.localhost/hello 200 ", StringComparison.Ordinal)
            && l.Contains("deployment=default/web", StringComparison.Ordinal));
        Assert.Single(lines.Lines, l => l.StartsWith("GET nothing.default.localhost/x 404 ", StringComparison.Ordinal));
    }

    private sealed class LineCollector : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => categoryName.EndsWith("RequestLoggingMiddleware", StringComparison.Ordinal) ? this : NullLogger;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 4100) Lines.Enqueue(formatter(state, exception));
        }
        public void Dispose() { }

        private static readonly ILogger NullLogger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }
}
