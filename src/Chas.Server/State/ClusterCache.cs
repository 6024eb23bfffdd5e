using System.Threading.Channels;
using Chas.Client.Informers;
using Chas.Contracts;
using Chas.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Server.State;

/// <summary>A change the cache applied: which object, and the deployment it concerns (if any).</summary>
public sealed record CacheChange(string Kind, string Key, string? DeploymentKey);

/// <summary>
/// An in-memory copy of tasks, nodes and deployments, kept current from the store's watch (an
/// informer): controllers read it instead of listing the store on every pass, and wait for it to
/// reach the revision of their own writes before deciding again, so they never act on stale state.
/// </summary>
/// <remarks>
/// Not a <see cref="Chas.Client.Informers.Informer{T}"/>: it follows one store watch of every kind (so its revision
/// passes audit and event commits, which <see cref="CacheCatchUp"/> relies on), lists three kinds at different
/// revisions and skips replays by version across them; a per-kind informer would need a watch per kind and could not
/// say when the store as a whole has been caught up with. It shares the informers' backoff.
/// </remarks>
public sealed partial class ClusterCache(IObjectStore store, TaskStore tasks, NodeStore nodes, DeploymentStore deployments,
    TimeProvider time, ILogger<ClusterCache> logger) : BackgroundService
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TaskResource> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeResource> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeploymentResource> _deployments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _instancesByDeployment = new(StringComparer.Ordinal);
    // Tasks waiting for a node: lets the scheduler skip a pass in O(1) when nothing waits.
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    // Tasks holding resources on a node: what a scheduling pass builds its snapshot from, without the rest.
    private readonly HashSet<string> _bound = new(StringComparer.Ordinal);
    private readonly List<Channel<CacheChange>> _subscribers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _revision;

    public long Revision { get { lock (_lock) return _revision; } }

    public Task WaitForSyncAsync(CancellationToken ct) => _synced.Task.WaitAsync(ct);

    /// <summary>Returns once every change up to <paramref name="revision"/> is in the cache.</summary>
    public async Task WaitForRevisionAsync(long revision, CancellationToken ct)
    {
        while (true)
        {
            Task next;
            lock (_lock)
            {
                if (_revision >= revision) return;
                next = _advanced.Task;
            }
            await next.WaitAsync(ct);
        }
    }

    public ChannelReader<CacheChange> Subscribe()
    {
        var channel = Channel.CreateUnbounded<CacheChange>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock) _subscribers.Add(channel);
        return channel.Reader;
    }

    /// <summary>Stops feeding a reader from <see cref="Subscribe"/> (a controller whose leader term ended), so no changes pile up for it.</summary>
    public void Unsubscribe(ChannelReader<CacheChange> reader)
    {
        lock (_lock) _subscribers.RemoveAll(channel => channel.Reader == reader);
    }

    public IReadOnlyList<TaskResource> Tasks() { lock (_lock) return [.. _tasks.Values]; }
    public IReadOnlyList<TaskResource> PendingTasks() { lock (_lock) return [.. _pending.Select(k => _tasks[k])]; }
    /// <summary>Tasks bound to a node and holding its resources (scheduled, starting, running, stopping).</summary>
    public IReadOnlyList<TaskResource> BoundTasks()
    {
        lock (_lock)
        {
            var bound = new TaskResource[_bound.Count];
            var i = 0;
            foreach (var key in _bound) bound[i++] = _tasks[key];
            return bound;
        }
    }
    public IReadOnlyList<NodeResource> Nodes() { lock (_lock) return [.. _nodes.Values]; }
    public IReadOnlyList<DeploymentResource> Deployments() { lock (_lock) return [.. _deployments.Values]; }

    public DeploymentResource? Deployment(string key) { lock (_lock) return _deployments.GetValueOrDefault(key); }
    public NodeResource? Node(string name) { lock (_lock) return _nodes.GetValueOrDefault(name); }

    public IReadOnlyList<TaskResource> InstancesOf(string deploymentKey)
    {
        lock (_lock)
        {
            return _instancesByDeployment.TryGetValue(deploymentKey, out var keys)
                ? [.. keys.Select(k => _tasks[k])]
                : [];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), jitter: 0.2);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var since = await LoadAsync(stoppingToken);
                _synced.TrySetResult();
                backoff.Reset();
                // Every kind, though only three are kept: the revision must advance past audit entries
                // and events too, or a wait for the store's current revision would hang until the
                // next task, node or deployment change.
                await foreach (var change in store.WatchAsync(null, since, stoppingToken))
                    Apply(change);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Overflow, history gone, store hiccup: list everything again.
                LogResync(logger, ex.Message);
            }
            await backoff.DelayAsync(time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Lists every kind; returns the revision to watch from (the oldest of the lists: replays are skipped by version).</summary>
    private async Task<long> LoadAsync(CancellationToken ct)
    {
        var (taskItems, taskRevision) = await tasks.ListAsync(ct);
        var (nodeItems, nodeRevision) = await nodes.ListAsync(ct);
        var (deploymentItems, deploymentRevision) = await deployments.ListAsync(ct);
        lock (_lock)
        {
            _tasks.Clear();
            _nodes.Clear();
            _deployments.Clear();
            _instancesByDeployment.Clear();
            _pending.Clear();
            _bound.Clear();
            foreach (var t in taskItems) PutTask(TaskStore.Key(t.Namespace, t.Name), t);
            foreach (var n in nodeItems) _nodes[n.Name] = n;
            foreach (var d in deploymentItems) _deployments[DeploymentStore.Key(d.Namespace, d.Name)] = d;
            _revision = Math.Max(_revision, Math.Min(taskRevision, Math.Min(nodeRevision, deploymentRevision)));
        }
        Publish([.. deploymentItems.Select(d => new CacheChange(DeploymentStore.KindName, DeploymentStore.Key(d.Namespace, d.Name), DeploymentStore.Key(d.Namespace, d.Name)))],
            Math.Min(taskRevision, Math.Min(nodeRevision, deploymentRevision)), resync: true);
        return Math.Min(taskRevision, Math.Min(nodeRevision, deploymentRevision));
    }

    private void Apply(ChangeEvent change)
    {
        CacheChange? applied = null;
        lock (_lock)
        {
            switch (change.Kind)
            {
                case TaskStore.KindName:
                {
                    var task = tasks.Deserialize(change.Json, change.Revision);
                    var key = change.Key;
                    if (_tasks.TryGetValue(key, out var existing) && existing.ResourceVersion >= change.Revision) break;
                    if (change.Type == ChangeType.Deleted) RemoveTask(key);
                    else PutTask(key, task);
                    applied = new CacheChange(change.Kind, key, task.Deployment is null ? null : DeploymentStore.Key(task.Namespace, task.Deployment));
                    break;
                }
                case NodeStore.KindName:
                {
                    if (_nodes.TryGetValue(change.Key, out var existing) && existing.ResourceVersion >= change.Revision) break;
                    if (change.Type == ChangeType.Deleted) _nodes.Remove(change.Key);
                    else _nodes[change.Key] = nodes.Deserialize(change.Json, change.Revision);
                    applied = new CacheChange(change.Kind, change.Key, null);
                    break;
                }
                case DeploymentStore.KindName:
                {
                    if (_deployments.TryGetValue(change.Key, out var existing) && existing.ResourceVersion >= change.Revision) break;
                    if (change.Type == ChangeType.Deleted) _deployments.Remove(change.Key);
                    else _deployments[change.Key] = deployments.Deserialize(change.Json, change.Revision);
                    applied = new CacheChange(change.Kind, change.Key, change.Key);
                    break;
                }
            }
        }
        Publish(applied is null ? [] : [applied], change.Revision, resync: false);
    }

    private void Publish(IReadOnlyList<CacheChange> changes, long revision, bool resync)
    {
        TaskCompletionSource advanced;
        lock (_lock)
        {
            if (revision > _revision) _revision = revision;
            foreach (var subscriber in _subscribers)
            {
                if (resync) subscriber.Writer.TryWrite(new CacheChange("*", "*", null));
                foreach (var change in changes) subscriber.Writer.TryWrite(change);
            }
            advanced = _advanced;
            _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        advanced.TrySetResult();
    }

    private void PutTask(string key, TaskResource task)
    {
        RemoveTask(key);
        _tasks[key] = task;
        if (task.Status == TaskPhase.Pending && !task.StopRequested) _pending.Add(key);
        if (task.Node is not null && task.Status.HoldsResources()) _bound.Add(key);
        if (task.Deployment is null) return;
        var owner = DeploymentStore.Key(task.Namespace, task.Deployment);
        if (!_instancesByDeployment.TryGetValue(owner, out var set)) _instancesByDeployment[owner] = set = new HashSet<string>(StringComparer.Ordinal);
        set.Add(key);
    }

    private void RemoveTask(string key)
    {
        _pending.Remove(key);
        _bound.Remove(key);
        if (!_tasks.Remove(key, out var old) || old.Deployment is null) return;
        var owner = DeploymentStore.Key(old.Namespace, old.Deployment);
        if (_instancesByDeployment.TryGetValue(owner, out var set) && set.Remove(key) && set.Count == 0) _instancesByDeployment.Remove(owner);
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "Cluster cache re-listing: {Reason}")]
    private static partial void LogResync(ILogger logger, string reason);
}
