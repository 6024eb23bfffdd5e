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
    private static readonly TimeSpan BookmarkInterval = TimeSpan.FromSeconds(10);

    public static IEndpointRouteBuilder MapWatchApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/watch", WatchAsync).RequireAccess(AccessLevel.NamespaceList).WithTags("Watch")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status410Gone).ProducesValidationProblem()
            .WithSummary("Stream changes of one kind after a revision, as Server-Sent Events.");
        return app;
    }

    private static async Task WatchAsync(HttpContext context, IObjectStore store, TaskStore tasks, NodeStore nodes, DeploymentStore deployments, TimeProvider time, string? kind, long? since, string? node)
    {
        if (RequestContext.CallerOf(context).Kind == CallerKind.Node && kind != TaskStore.KindName)
        {
            await Problems.Status(StatusCodes.Status403Forbidden, "a node may only watch its own tasks (kind=tasks&node=SELF)").ExecuteAsync(context);
            return;
        }
        Func<ChangeEvent, string?> render;
        switch (kind)
        {
            case TaskStore.KindName:
                render = ev => Visible(context.Request, ev) ? RenderTask(ev, tasks, node) : null;
                break;
            case NodeStore.KindName:
                render = ev => RenderNode(ev, nodes);
                break;
            case DeploymentStore.KindName:
                render = ev => !Visible(context.Request, ev) ? null : JsonSerializer.Serialize(new WatchEvent<DeploymentResource>
                {
                    Type = TypeOf(ev.Type), Revision = ev.Revision, Object = deployments.Deserialize(ev.Json, ev.Revision),
                }, ChasJsonContext.Default.WatchEventDeploymentResource);
                break;
            case EventLog.KindName:
                render = ev => RenderEvent(context.Request, ev);
                break;
            default:
                await Problems.Field("kind", "must be 'tasks', 'nodes', 'deployments' or 'events'").ExecuteAsync(context);
                return;
        }
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
        await using var changes = store.WatchAsync(new HashSet<string> { kind }, from, ct).GetAsyncEnumerator(ct);

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
            var tick = Task.Delay(BookmarkInterval, ct);
            while (!ct.IsCancellationRequested)
            {
                var done = await Task.WhenAny(pending, tick);
                if (done == tick)
                {
                    await WriteAsync(context, WatchEventTypes.Bookmark, lastRevision,
                        $"{{\"type\":\"bookmark\",\"revision\":{Math.Max(lastRevision, store.CurrentRevision)}}}", ct);
                    tick = Task.Delay(BookmarkInterval, ct);
                    continue;
                }
                if (!await pending) break;
                var change = changes.Current;
                lastRevision = change.Revision;
                var payload = render(change);
                if (payload is not null) await WriteAsync(context, TypeOf(change.Type), change.Revision, payload, ct);
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

    /// <summary>Tasks and deployments are keyed "namespace/name": callers see only their namespaces' changes.</summary>
    private static bool Visible(HttpRequest request, ChangeEvent change)
    {
        var slash = change.Key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 || RequestContext.Lists(request, change.Key[..slash]);
    }

    private static string? RenderTask(ChangeEvent change, TaskStore tasks, string? node)
    {
        // An agent watches only its own node: skip other nodes' changes before paying for JSON.
        if (node is not null && !change.Json.Contains($"\"node\":{JsonSerializer.Serialize(node)}", StringComparison.Ordinal)) return null;
        var task = tasks.Deserialize(change.Json, change.Revision);
        if (node is not null && task.Node != node) return null;
        return JsonSerializer.Serialize(new WatchEvent<TaskResource> { Type = TypeOf(change.Type), Revision = change.Revision, Object = task },
            ChasJsonContext.Default.WatchEventTaskResource);
    }

    /// <summary>Events are keyed "namespace/id", node events "_cluster/id": those are for anyone who may read nodes.</summary>
    private static string? RenderEvent(HttpRequest request, ChangeEvent change)
    {
        var ev = EventLog.Deserialize(change.Json, change.Revision);
        return !EventsApi.Visible(request, ev) ? null
            : JsonSerializer.Serialize(new WatchEvent<EventResource> { Type = TypeOf(change.Type), Revision = change.Revision, Object = ev }, ChasJsonContext.Default.WatchEventEventResource);
    }

    private static string RenderNode(ChangeEvent change, NodeStore nodes) =>
        JsonSerializer.Serialize(new WatchEvent<NodeResource> { Type = TypeOf(change.Type), Revision = change.Revision, Object = nodes.Deserialize(change.Json, change.Revision) },
            ChasJsonContext.Default.WatchEventNodeResource);

    private static string TypeOf(ChangeType type) => type switch
    {
        ChangeType.Added => WatchEventTypes.Added,
        ChangeType.Modified => WatchEventTypes.Modified,
        _ => WatchEventTypes.Deleted,
    };

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
