using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Chas.Ingress.Tests.Infrastructure;

/// <summary>A tiny HTTP app on 127.0.0.1 standing in for one container: answers with its own name, or fails when told to.</summary>
public sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _hits;

    private Backend(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }
    public int Port { get; private set; }
    public int Hits => Volatile.Read(ref _hits);
    /// <summary>The Host header of the last request this backend got.</summary>
    public string? LastHost { get; private set; }
    /// <summary>The request target of the last request, as it came on the wire.</summary>
    public string? LastTarget { get; private set; }
    /// <summary>Non-zero: every request is answered with this status instead of the name.</summary>
    public int FailWith { get; set; }

    public static async Task<Backend> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var backend = new Backend(name, app);
        app.Run(async context =>
        {
            Interlocked.Increment(ref backend._hits);
            backend.LastHost = context.Request.Host.Value;
            backend.LastTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
            if (backend.FailWith != 0) context.Response.StatusCode = backend.FailWith;
            await context.Response.WriteAsync(name);
        });
        await app.StartAsync();
        backend.Port = new Uri(app.Urls.First()).Port;
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
