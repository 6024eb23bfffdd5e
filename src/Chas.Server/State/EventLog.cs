using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Chas.Contracts;
using Chas.Server.Hosting;
using Chas.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Server.State;

/// <summary>
/// What happened to tasks, nodes and deployments, for people: kept in the store (kind "events",
/// key "namespace/id", "_cluster/id" for nodes, so the watch's namespace filter applies) with the
/// newest <see cref="ServerOptions.EventHistory"/> kept. <see cref="Record"/> only queues: one writer
/// folds repeats (same reason about the same object within <see cref="FoldWindow"/>: the count grows)
/// and commits in batches, so recording never slows or fails what it describes.
/// </summary>
public sealed partial class EventLog(IObjectStore store, ServerOptions options, TimeProvider time, ILogger<EventLog> logger) : BackgroundService
{
    public const string KindName = "events";
    // Entries an older version wrote read with their declared defaults (ChasJson.Stored).
    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<EventResource> StoredEntry = ChasJson.StoredTypeInfo<EventResource>();
    /// <summary>The key prefix of cluster-scoped objects (nodes); not a valid namespace name, so it never collides with one.</summary>
    public const string ClusterScope = "_cluster";
    public static readonly TimeSpan FoldWindow = TimeSpan.FromMinutes(10);

    private readonly Channel<EventResource> _pending = Channel.CreateBounded<EventResource>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    /// <summary>How long a query waits for what was recorded before it to reach the store.</summary>
    public static readonly TimeSpan FlushLimit = TimeSpan.FromSeconds(2);

    private long _recorded;
    // Written or dropped: what the writer is done with.
    private readonly MonotonicCounter _handled = new();

    /// <summary>Queues an event; never blocks and never throws (when 10,000 wait, the oldest is dropped).</summary>
    public void Record(EventResource ev)
    {
        try
        {
            Interlocked.Increment(ref _recorded);
            var at = ev.Time == default ? time.GetUtcNow() : ev.Time;
            if (!_pending.Writer.TryWrite(ev with { Time = at, FirstTime = at })) _handled.Add(1);
        }
        catch (Exception)
        {
            // An event is worth less than whatever the caller is doing.
        }
    }

    public void RecordTask(TaskResource task, string reason, string message, bool warning = false) => Record(new EventResource
    {
        Type = warning ? EventTypes.Warning : EventTypes.Normal, Reason = reason, Kind = EventKinds.Task,
        Namespace = task.Namespace, Name = task.Name, Deployment = task.Deployment, Node = task.Node, Message = message,
    });

    public void RecordNode(string node, string reason, string message, bool warning = false) => Record(new EventResource
    {
        Type = warning ? EventTypes.Warning : EventTypes.Normal, Reason = reason, Kind = EventKinds.Node, Name = node, Node = node, Message = message,
    });

    public void RecordDeployment(DeploymentResource deployment, string reason, string message, bool warning = false) => Record(new EventResource
    {
        Type = warning ? EventTypes.Warning : EventTypes.Normal, Reason = reason, Kind = EventKinds.Deployment,
        Namespace = deployment.Namespace, Name = deployment.Name, Deployment = deployment.Name, Message = message,
    });

    /// <summary>Every kept event, oldest first, with the revision the list was read at.</summary>
    public async Task<ResourceList<EventResource>> ListAsync(CancellationToken ct)
    {
        await FlushedAsync(ct);
        var list = await store.ListAsync(KindName, ct);
        var items = list.Items.Select(o => Deserialize(o.Json, o.Version)).OrderBy(e => e.Time).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
        return new ResourceList<EventResource> { Items = items, Revision = list.Revision };
    }

    public static EventResource Deserialize(string json, long version) =>
        JsonSerializer.Deserialize(json, StoredEntry)! with { ResourceVersion = version };

    /// <summary>"namespace" of an event's key: its namespace, or <see cref="ClusterScope"/> for nodes.</summary>
    public static string ScopeOf(EventResource ev) => ev.Namespace ?? ClusterScope;

    /// <summary>Waits (briefly) until what was recorded before the call is in the store, so a query right after sees it.</summary>
    private Task<bool> FlushedAsync(CancellationToken ct) => _handled.WaitForAsync(Interlocked.Read(ref _recorded), FlushLimit, time, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var kept = new KeptEvents();
        foreach (var item in (await store.ListAsync(KindName, stoppingToken)).Items)
        {
            kept.Add(item.Key, Deserialize(item.Json, item.Version));
        }
        kept.SortByTime();
        // Several servers on one database each write events: ids come from this process's own range (a random
        // 31-bit tag above a counter), so two servers never make the same key and overwrite each other's event.
        var sequence = (long)Random.Shared.Next(1, int.MaxValue) << 32;

        var batch = new Dictionary<string, string?>(StringComparer.Ordinal);
        var createdInBatch = new HashSet<string>(StringComparer.Ordinal);
        while (await _pending.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            createdInBatch.Clear();
            var read = 0;
            while (read < 500 && _pending.Reader.TryRead(out var ev))
            {
                read++;
                string key;
                if (kept.Foldable(ev) is { } previous && ev.Time - previous.Event.Time <= FoldWindow)
                {
                    key = previous.Key;
                    ev = previous.Event with { Time = ev.Time, Type = ev.Type, Message = ev.Message, Node = ev.Node ?? previous.Event.Node, Count = previous.Event.Count + 1 };
                }
                else
                {
                    ev = ev with { Id = (++sequence).ToString(CultureInfo.InvariantCulture) };
                    key = $"{ScopeOf(ev)}/{ev.Id}";
                    createdInBatch.Add(key);
                }
                kept.Touch(key, ev);
                batch[key] = JsonSerializer.Serialize(ev with { ResourceVersion = 0 }, ChasJsonContext.Default.EventResource);
            }
            while (kept.Count > Math.Max(1, options.EventHistory))
            {
                var oldest = kept.RemoveOldest();
                // Created and trimmed within one batch: it never reaches the store.
                if (createdInBatch.Remove(oldest)) batch.Remove(oldest);
                else batch[oldest] = null;
            }
            try
            {
                // Unconditional: keys are this process's own (see the sequence above), and a fold rewrites the newest state this writer knows.
                var writes = batch.Where(w => w.Value is not null).Select(w => new WriteOp(KindName, w.Key, WriteOp.AnyVersion, w.Value)).ToList();
                if (writes.Count > 0) await store.CommitAsync(writes, stoppingToken);
                // Trimmed in a commit of their own: with several servers on one store another may have trimmed the
                // same old event first, and that conflict must not cost the new ones.
                var trims = batch.Where(w => w.Value is null).Select(w => WriteOp.Delete(KindName, w.Key)).ToList();
                if (trims.Count > 0) await StoreTrims.DeleteAsync(store, trims, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogWriteFailed(logger, read, ex);
            }
            _handled.Add(read);
        }
    }

    [LoggerMessage(EventId = 2400, Level = LogLevel.Warning, Message = "Could not store {Count} events")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    /// <summary>The kept events in the order they last happened (oldest first), and the latest one per (object, reason) for folding.</summary>
    private sealed class KeptEvents
    {
        private readonly LinkedList<(string Key, EventResource Event)> _order = new();
        private readonly Dictionary<string, LinkedListNode<(string Key, EventResource Event)>> _byKey = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _latestByFold = new(StringComparer.Ordinal);

        public int Count => _order.Count;

        public void Add(string key, EventResource ev) => Touch(key, ev);

        public void SortByTime()
        {
            var sorted = _order.OrderBy(e => e.Event.Time).ThenBy(e => e.Key, StringComparer.Ordinal).ToList();
            _order.Clear();
            _byKey.Clear();
            _latestByFold.Clear();
            foreach (var (key, ev) in sorted) Touch(key, ev);
        }

        public (string Key, EventResource Event)? Foldable(EventResource ev) =>
            _latestByFold.TryGetValue(FoldKey(ev), out var key) && _byKey.TryGetValue(key, out var node) ? node.Value : null;

        public void Touch(string key, EventResource ev)
        {
            if (_byKey.Remove(key, out var existing)) _order.Remove(existing);
            _byKey[key] = _order.AddLast((key, ev));
            _latestByFold[FoldKey(ev)] = key;
        }

        public string RemoveOldest()
        {
            var (key, ev) = _order.First!.Value;
            _order.RemoveFirst();
            _byKey.Remove(key);
            if (_latestByFold.TryGetValue(FoldKey(ev), out var latest) && latest == key) _latestByFold.Remove(FoldKey(ev));
            return key;
        }

        private static string FoldKey(EventResource ev) => $"{ev.Kind}/{ScopeOf(ev)}/{ev.Name}/{ev.Reason}";
    }
}
