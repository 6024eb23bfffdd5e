using Chas.Client;
using Chas.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Server.Tests;

/// <summary>
/// A real server like <see cref="TestServer"/> whose every timer and deadline runs on a
/// <see cref="FakeTimeProvider"/>: tests of timeouts advance <see cref="Time"/> instead of waiting.
/// </summary>
public sealed class FakeClockServer : IAsyncDisposable
{
    private WebApplication _app = null!;

    private FakeClockServer() { }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "chas-fake-clock-tests-" + Guid.NewGuid().ToString("N"));
    public ServerOptions Options { get; private set; } = null!;
    public ServerSecrets Secrets { get; private set; } = null!;
    public ChasClient Admin { get; private set; } = null!;
    public HttpClient Http { get; } = new();

    public static async Task<FakeClockServer> StartAsync(Func<ServerOptions, ServerOptions>? tweak = null)
    {
        var server = new FakeClockServer();
        var options = new ServerOptions { DataDir = server.DataDir, Urls = ["http://127.0.0.1:0"] };
        server.Options = tweak is null ? options : tweak(options);
        server._app = ChasServerApp.Build(server.Options, b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            // Registered after the server's own default, so it is the one every service gets.
            b.Services.AddSingleton<TimeProvider>(server.Time);
        });
        await server._app.StartAsync();
        var url = new Uri(server._app.Urls.First() + "/");
        server.Http.BaseAddress = url;
        server.Secrets = ServerSecrets.LoadOrCreate(server.DataDir);
        server.Admin = new ChasClient(url, server.Secrets.AdminToken);
        return server;
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

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Http.Dispose();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }
}
