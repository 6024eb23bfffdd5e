using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chas.Client.Tests;

/// <summary>
/// One of several API servers, on Kestrel on 127.0.0.1, that answers every request with its name and counts what
/// it received; the test makes it answer 503 or cut the connection, or stops it.
/// </summary>
public sealed class FlakyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;
    private bool _stopped;

    private FlakyServer(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }
    public Uri Url { get; private set; } = null!;
    public int Requests => Volatile.Read(ref _requests);
    public FlakyMode Mode { get; set; }

    public static async Task<FlakyServer> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FlakyServer(name, app);
        app.Run(server.AnswerAsync);
        await app.StartAsync();
        server.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return server;
    }

    /// <summary>A URL where nothing listens: connections to it are refused.</summary>
    public static Uri DeadUrl() => new($"http://127.0.0.1:{Chas.Testing.Ports.PortRanges.FreeTcpPort()}/");

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _app.StopAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        switch (Mode)
        {
            case FlakyMode.Unavailable:
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.ContentType = "application/problem+json";
                await context.Response.WriteAsync("""{"title":"Service Unavailable","status":503,"detail":"the store is unreachable"}""");
                return;
            case FlakyMode.CutOff:
                context.Abort();
                return;
            case FlakyMode.Frozen:
                await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            default:
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync($"{Name} {context.Request.Method} {context.Request.Path}");
                return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}

public enum FlakyMode
{
    Healthy,
    Unavailable,
    CutOff,
    /// <summary>Takes the request and never answers (a stopped process whose socket still accepts).</summary>
    Frozen,
}
