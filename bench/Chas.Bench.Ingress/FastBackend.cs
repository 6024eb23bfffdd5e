using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Chas.Bench.Ingress;

/// <summary>
/// The backend all three targets end at: Kestrel on 127.0.0.1, in this process, answering every request with the
/// same 13-byte body (TechEmpower's plaintext) — keep-alive, no fork per connection, nothing that varies.
/// </summary>
internal sealed class FastBackend : IAsyncDisposable
{
    public static readonly byte[] Body = Encoding.ASCII.GetBytes("Hello, World!");
    private readonly WebApplication _app;

    private FastBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public static async Task<FastBackend> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(context =>
        {
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/plain";
            response.ContentLength = Body.Length;
            return response.Body.WriteAsync(Body, context.RequestAborted).AsTask();
        });
        await app.StartAsync(ct);
        return new FastBackend(app, new Uri(app.Urls.First()).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
