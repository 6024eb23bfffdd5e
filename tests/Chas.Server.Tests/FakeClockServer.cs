using Chas.Client;
using Chas.Server.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Server.Tests;

/// <summary>
/// The shared <see cref="TestServer"/> on a <see cref="FakeTimeProvider"/>: every timer and deadline of the
/// server runs on <see cref="Time"/>, so tests of timeouts advance it instead of waiting.
/// </summary>
public sealed class FakeClockServer : IAsyncDisposable
{
    private readonly TestServer _server;

    private FakeClockServer(TestServer server, FakeTimeProvider time) => (_server, Time) = (server, time);

    public FakeTimeProvider Time { get; }
    public string DataDir => _server.DataDir;
    public ServerOptions Options => _server.Options;
    public ServerSecrets Secrets => _server.Secrets;
    public ChasClient Admin => _server.Admin;
    public HttpClient Http => _server.Http;

    public static async Task<FakeClockServer> StartAsync(Func<ServerOptions, ServerOptions>? tweak = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        return new FakeClockServer(await TestServer.StartAsync(time: time, configure: tweak), time);
    }

    /// <summary>
    /// Advances the fake clock by <paramref name="step"/> on every probe until the condition holds: a
    /// timer armed just after one advance fires on a later one, so no test depends on that race.
    /// </summary>
    public Task<T> AdvanceUntilAsync<T>(TimeSpan step, Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? deadline = null) =>
        Eventually.WaitAsync(async () =>
        {
            Time.Advance(step);
            return await probe();
        }, condition, what, deadline);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
