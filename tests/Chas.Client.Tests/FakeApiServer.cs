using System.Text.Json;
using System.Threading.Channels;
using Chas.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chas.Client.Tests;

/// <summary>
/// The two endpoints a task informer reads, served by Kestrel on 127.0.0.1 as the server frames them: the list
/// with its revision, and the watch as Server-Sent Events (replay after `since`, then live; 410 below the
/// compaction). The test drops streams and refuses lists to make gaps.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TaskResource> _tasks = new(StringComparer.Ordinal);
    private readonly List<WatchEvent<TaskResource>> _history = [];
    private readonly List<Channel<WatchEvent<TaskResource>>> _streams = [];
    private long _revision = 100;

    private FakeApiServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;
    public bool RefuseLists { get; set; }
    public long CompactedBelow { get; set; }
    public List<long> WatchedFrom { get; } = [];
    public int OpenStreams { get { lock (_lock) return _streams.Count; } }

    public static async Task<FakeApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeApiServer(app);
        app.MapGet("/api/v1/tasks", server.ListAsync);
        app.MapGet("/api/v1/watch", server.WatchAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address + "/");
        return server;
    }

    public void Put(string name, TaskPhase status = TaskPhase.Pending) => Change(new TaskResource { Name = name, Status = status }, null);

    public void Delete(string name)
    {
        TaskResource task;
        lock (_lock) task = _tasks[name];
        Change(task, WatchEventTypes.Deleted);
    }

    /// <summary>Ends every open stream, as a server restart does.</summary>
    public void DropStreams()
    {
        lock (_lock)
        {
            foreach (var stream in _streams) stream.Writer.TryComplete();
            _streams.Clear();
        }
    }

    private async Task ListAsync(HttpContext context)
    {
        if (RefuseLists)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        ResourceList<TaskResource> list;
        lock (_lock) list = new ResourceList<TaskResource> { Items = [.. _tasks.Values], Revision = _revision };
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, list, ChasJsonContext.Default.ResourceListTaskResource, context.RequestAborted);
    }

    private Task WatchAsync(HttpContext context)
    {
        var since = long.Parse(context.Request.Query["since"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var stream = Channel.CreateUnbounded<WatchEvent<TaskResource>>();
        lock (_lock)
        {
            WatchedFrom.Add(since);
            if (since < CompactedBelow)
            {
                context.Response.StatusCode = StatusCodes.Status410Gone;
                context.Response.ContentType = "application/problem+json";
                return context.Response.WriteAsync($$"""{"title":"Gone","status":410,"detail":"revision {{since}} is compacted"}""");
            }
            foreach (var past in _history.Where(e => e.Revision > since)) stream.Writer.TryWrite(past);
            _streams.Add(stream);
        }
        return StreamAsync(context, stream);
    }

    private static async Task StreamAsync(HttpContext context, Channel<WatchEvent<TaskResource>> stream)
    {
        var ct = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        await context.Response.Body.FlushAsync(ct);
        try
        {
            await foreach (var ev in stream.Reader.ReadAllAsync(ct))
            {
                var data = JsonSerializer.Serialize(ev, ChasJsonContext.Default.WatchEventTaskResource);
                await context.Response.WriteAsync($"event: {ev.Type}\nid: {ev.Revision}\ndata: {data}\n\n", ct);
                await context.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private void Change(TaskResource task, string? type)
    {
        lock (_lock)
        {
            type ??= _tasks.ContainsKey(task.Name) ? WatchEventTypes.Modified : WatchEventTypes.Added;
            _revision++;
            task = task with { ResourceVersion = _revision };
            if (type == WatchEventTypes.Deleted) _tasks.Remove(task.Name);
            else _tasks[task.Name] = task;
            var ev = new WatchEvent<TaskResource> { Type = type, Revision = _revision, Object = task };
            _history.Add(ev);
            foreach (var stream in _streams) stream.Writer.TryWrite(ev);
        }
    }

    public async ValueTask DisposeAsync()
    {
        DropStreams();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
