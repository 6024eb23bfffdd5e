using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.State;
using Chas.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

/// <summary>
/// GET /api/v1/watch?kind=tasks|nodes|deployments|events&amp;since=REV[&amp;node=NAME] as Server-Sent Events: every change
/// after REV, in order, then live; a bookmark with the current revision every few seconds of
/// silence; 410 Gone when REV is older than the kept history (list again, then watch from the
/// list's revision). The agent learns its assignments this way.
/// </summary>
public static class WatchApi
{
    /// <summary>How long a silent watch waits before it sends a bookmark.</summary>
    public static readonly TimeSpan BookmarkInterval = TimeSpan.FromSeconds(10);

    public static IEndpointRouteBuilder MapWatchApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/watch", WatchAsync).RequireAccess(AccessLevel.NamespaceList).WithTags("Watch")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status410Gone).ProducesValidationProblem()
            .WithSummary("Stream changes of one kind after a revision, as Server-Sent Events.");
        return app;
    }

    private static async Task WatchAsync(HttpContext context, IObjectStore store, WatchableKinds kinds, TimeProvider time, string? kind, long? since, string? node)
    {
        var watched = kinds.Find(kind);
        if (RequestContext.CallerOf(context).Kind == CallerKind.Node && watched?.NodesMayWatch != true)
        {
            await Problems.Status(StatusCodes.Status403Forbidden, "a node may only watch its own tasks (kind=tasks&node=SELF)").ExecuteAsync(context);
            return;
        }
        if (watched is null)
        {
            await Problems.Field("kind", $"must be {kinds.Names()}").ExecuteAsync(context);
            return;
        }
        var scope = new WatchScope(context.Request, node);
        if (since is < 0)
        {
            await Problems.Field("since", "must not be negative").ExecuteAsync(context);
            return;
        }

        var ct = context.RequestAborted;
        if (since > store.CurrentRevision && !await CaughtUpAsync(store, since.Value, time, ct))
        {
            // Nothing at or below it would ever be sent: the stream would stay silent for good.
            await Problems.Field("since", $"revision {since} is ahead of the newest one ({store.CurrentRevision}); watch from a revision a list or a watch returned")
                .ExecuteAsync(context);
            return;
        }
        var from = since ?? store.CurrentRevision;
        await using var changes = store.WatchAsync(new HashSet<string> { watched.Name }, from, ct).GetAsyncEnumerator(ct);

        // The store validates the revision before its first await, so a too-old revision fails
        // synchronously here and can still be answered with a proper 410 instead of a broken stream.
        var pending = changes.MoveNextAsync().AsTask();
        if (pending is { IsFaulted: true, Exception.InnerException: RevisionTooOldException tooOld })
        {
            await Problems.Status(StatusCodes.Status410Gone, tooOld.Message + "; list again and watch from the list's revision").ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.Body.FlushAsync(ct);

        var lastRevision = from;
        try
        {
            // One bookmark timer per watcher, re-armed only when it fires: a timer per event costs
            // more than the event itself when thousands of agents watch.
            var tick = Task.Delay(BookmarkInterval, time, ct);
            while (!ct.IsCancellationRequested)
            {
                var done = await Task.WhenAny(pending, tick);
                if (done == tick)
                {
                    await WriteAsync(context, WatchEventTypes.Bookmark, lastRevision,
                        $"{{\"type\":\"bookmark\",\"revision\":{Math.Max(lastRevision, store.CurrentRevision)}}}", ct);
                    tick = Task.Delay(BookmarkInterval, time, ct);
                    continue;
                }
                if (!await pending) break;
                var change = changes.Current;
                lastRevision = change.Revision;
                var payload = watched.Render(scope, change);
                if (payload is not null) await WriteAsync(context, WatchableKind.TypeOf(change.Type), change.Revision, payload, ct);
                pending = changes.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Client disconnected.
        }
        catch (Exception ex) when (ex is WatchOverflowException or RevisionTooOldException or ChannelClosedException)
        {
            // The client resumes from the last revision it saw; tell it why we stopped.
            await WriteAsync(context, "error", lastRevision, JsonSerializer.Serialize(ex.Message), CancellationToken.None);
        }
        finally
        {
            // The enumerator may not be disposed while a MoveNextAsync is in flight: let it finish
            // (it ends with the request's cancellation) before `await using` disposes it.
            try { await pending; }
            catch (Exception) when (ct.IsCancellationRequested || pending.IsFaulted) { }
        }
    }

    private static async Task WriteAsync(HttpContext context, string eventName, long revision, string data, CancellationToken ct)
    {
        var frame = $"event: {eventName}\nid: {revision}\ndata: {data}\n\n";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), ct);
        await context.Response.Body.FlushAsync(ct);
    }

    /// <summary>
    /// A revision ahead of this server's can be real with several servers on one database (another one wrote it a
    /// moment ago): as Kubernetes does, wait a little for this one to see it before calling it a mistake.
    /// </summary>
    private static async Task<bool> CaughtUpAsync(IObjectStore store, long revision, TimeProvider time, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(3);
        while (store.CurrentRevision < revision)
        {
            if (time.GetUtcNow() >= deadline) return false;
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }
        return true;
    }
}
