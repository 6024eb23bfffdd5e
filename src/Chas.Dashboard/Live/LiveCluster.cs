using Chas.Client;
using Chas.Contracts;
using Chas.Dashboard.Session;

namespace Chas.Dashboard.Live;

/// <summary>
/// One circuit's view of the cluster: nodes, tasks and deployments listed once and then kept current
/// through the watch API (list at revision R, watch from R; after a broken stream, list again). Pages
/// read the snapshots and re-render on <see cref="Changed"/>. Stops with the circuit or at sign-out.
/// </summary>
public sealed class LiveCluster : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
    private readonly DashboardSession _session;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, NodeResource> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskResource> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeploymentResource> _deployments = new(StringComparer.Ordinal);
    private CancellationTokenSource? _stop;
    private ChasClient? _following;
    private int _listed;

    public LiveCluster(DashboardSession session, TimeProvider time)
    {
        _session = session;
        _time = time;
        _session.Changed += OnSessionChanged;
    }

    /// <summary>Raised (on a thread-pool thread) after any change; handlers re-render through InvokeAsync.</summary>
    public event Action? Changed;

    /// <summary>True once nodes, tasks and deployments have each been listed.</summary>
    public bool Loaded => Volatile.Read(ref _listed) >= 3;

    /// <summary>The last error of a list or watch, cleared by the next success.</summary>
    public string? Error { get; private set; }

    public IReadOnlyList<NodeResource> Nodes { get { lock (_gate) return [.. _nodes.Values.OrderBy(n => n.Name, StringComparer.Ordinal)]; } }
    public IReadOnlyList<TaskResource> Tasks { get { lock (_gate) return [.. _tasks.Values.OrderBy(t => t.Namespace, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal)]; } }
    public IReadOnlyList<DeploymentResource> Deployments { get { lock (_gate) return [.. _deployments.Values.OrderBy(d => d.Namespace, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal)]; } }

    public TaskResource? Task(string ns, string name) { lock (_gate) return _tasks.GetValueOrDefault(Key(ns, name)); }

    public IReadOnlyList<TaskResource> InstancesOf(DeploymentResource deployment)
    {
        lock (_gate)
            return [.. _tasks.Values.Where(t => t.Deployment == deployment.Name && t.Namespace == deployment.Namespace).OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    /// <summary>What the tasks placed on <paramref name="node"/> hold (they hold it from scheduling until they end).</summary>
    public (long CpuMillis, long MemoryBytes, int Gpus, int Tasks) AllocatedOn(string node)
    {
        lock (_gate)
        {
            var held = _tasks.Values.Where(t => t.Node == node && t.Status.HoldsResources()).ToList();
            return (held.Sum(t => t.CpuMillis), held.Sum(t => t.MemoryBytes), held.Sum(t => t.AssignedGpus.Count), held.Count);
        }
    }

    /// <summary>Starts following the cluster, once per sign-in; pages call it when they first render.</summary>
    public void EnsureStarted()
    {
        if (_stop is not null || !_session.IsSignedIn) return;
        _stop = new CancellationTokenSource();
        var ct = _stop.Token;
        var client = _session.Client;
        _following = client;
        _ = FollowAsync(c => client.ListNodesAsync(c), (since, c) => client.WatchNodesAsync(since, c), _nodes, n => n.Name, ct);
        _ = FollowAsync(c => client.ListTasksAsync(ct: c), (since, c) => client.WatchTasksAsync(since, ct: c), _tasks, t => Key(t.Namespace, t.Name), ct);
        _ = FollowAsync(c => client.ListDeploymentsAsync(c), (since, c) => client.WatchDeploymentsAsync(since, c), _deployments, d => Key(d.Namespace, d.Name), ct);
    }

    private async Task FollowAsync<T>(Func<CancellationToken, Task<ResourceList<T>>> list,
        Func<long, CancellationToken, IAsyncEnumerable<WatchEvent<T>>> watch, Dictionary<string, T> into, Func<T, string> key, CancellationToken ct)
    {
        var counted = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var snapshot = await list(ct);
                lock (_gate)
                {
                    into.Clear();
                    foreach (var item in snapshot.Items) into[key(item)] = item;
                }
                if (!counted) Interlocked.Increment(ref _listed);
                counted = true;
                Error = null;
                Changed?.Invoke();
                await foreach (var ev in watch(snapshot.Revision, ct))
                {
                    if (ev.Object is null || ev.Type == WatchEventTypes.Bookmark) continue;
                    lock (_gate)
                    {
                        if (ev.Type == WatchEventTypes.Deleted) into.Remove(key(ev.Object));
                        else into[key(ev.Object)] = ev.Object;
                    }
                    Changed?.Invoke();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is ChasApiException or HttpRequestException or IOException or System.Text.Json.JsonException)
            {
                Error = e.Message;
                Changed?.Invoke();
            }
            try
            {
                await System.Threading.Tasks.Task.Delay(RetryDelay, _time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void OnSessionChanged()
    {
        // A refreshed token keeps the client (and its open watches); a sign-out or another sign-in does not,
        // and what was seen must not outlive the session that saw it.
        var current = _session.IsSignedIn ? _session.Client : null;
        if (ReferenceEquals(current, _following)) return;
        Stop();
        Changed?.Invoke();
    }

    private void Stop()
    {
        _stop?.Cancel();
        _stop?.Dispose();
        _stop = null;
        _following = null;
        Volatile.Write(ref _listed, 0);
        lock (_gate)
        {
            _nodes.Clear();
            _tasks.Clear();
            _deployments.Clear();
        }
    }

    private static string Key(string ns, string name) => ns + "/" + name;

    public ValueTask DisposeAsync()
    {
        _session.Changed -= OnSessionChanged;
        Stop();
        return ValueTask.CompletedTask;
    }
}
