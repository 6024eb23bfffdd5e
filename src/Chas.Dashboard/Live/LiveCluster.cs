using Chas.Client;
using Chas.Client.Informers;
using Chas.Contracts;
using Chas.Dashboard.Session;

namespace Chas.Dashboard.Live;

/// <summary>
/// One circuit's view of the cluster: nodes, tasks and deployments, each kept current by an informer of
/// <see cref="Chas.Client"/> (list, watch from the listed revision, list again after a gap or a stall).
/// Pages read the snapshots and re-render on <see cref="Changed"/>. Stops with the circuit or at sign-out.
/// </summary>
public sealed class LiveCluster : IAsyncDisposable
{
    private const string ByDeployment = "deployment";
    private const string ByNode = "node";
    private readonly DashboardSession _session;
    private readonly InformerOptions _options;
    private readonly Lock _gate = new();
    private Following? _following;

    public LiveCluster(DashboardSession session, TimeProvider time)
    {
        _session = session;
        // A browser tab needs no haste: the first retry waits as long as the old fixed pause did.
        _options = new InformerOptions { Time = time, InitialBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromSeconds(10) };
        _session.Changed += OnSessionChanged;
    }

    /// <summary>Raised (on a thread-pool thread) after any change; handlers re-render through InvokeAsync.</summary>
    public event Action? Changed;

    /// <summary>True once nodes, tasks and deployments have each been listed.</summary>
    public bool Loaded => Current is { } f && f.Nodes.HasSynced && f.Tasks.HasSynced && f.Deployments.HasSynced;

    /// <summary>The last error of a list or watch, cleared by the next successful list.</summary>
    public string? Error { get; private set; }

    public IReadOnlyList<NodeResource> Nodes =>
        Current is { } f ? [.. f.Nodes.List().OrderBy(n => n.Name, StringComparer.Ordinal)] : [];

    public IReadOnlyList<TaskResource> Tasks =>
        Current is { } f ? [.. f.Tasks.List().OrderBy(t => t.Namespace, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal)] : [];

    public IReadOnlyList<DeploymentResource> Deployments =>
        Current is { } f ? [.. f.Deployments.List().OrderBy(d => d.Namespace, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal)] : [];

    public TaskResource? Task(string ns, string name) => Current?.Tasks.Get(ns + "/" + name);

    public IReadOnlyList<TaskResource> InstancesOf(DeploymentResource deployment) =>
        Current is { } f
            ? [.. f.Tasks.ByIndex(ByDeployment, ResourceKeys.Deployment(deployment)).OrderBy(t => t.Name, StringComparer.Ordinal)]
            : [];

    /// <summary>What the tasks placed on <paramref name="node"/> hold (they hold it from scheduling until they end).</summary>
    public (long CpuMillis, long MemoryBytes, int Gpus, int Tasks) AllocatedOn(string node)
    {
        if (Current is not { } f) return (0, 0, 0, 0);
        var held = f.Tasks.ByIndex(ByNode, node).Where(t => t.Status.HoldsResources()).ToList();
        return (held.Sum(t => t.CpuMillis), held.Sum(t => t.MemoryBytes), held.Sum(t => t.AssignedGpus.Count), held.Count);
    }

    private Following? Current { get { lock (_gate) return _following; } }

    /// <summary>Starts following the cluster, once per sign-in; pages call it when they first render.</summary>
    public void EnsureStarted()
    {
        Following following;
        lock (_gate)
        {
            if (_following is not null || !_session.IsSignedIn) return;
            var client = _session.Client;
            var tasks = new Informer<TaskResource>(TaskSource.For(client), _options);
            tasks.Cache.AddIndex(ByDeployment, t => t.Deployment is null ? null : t.Namespace + "/" + t.Deployment);
            tasks.Cache.AddIndex(ByNode, t => t.Node);
            _following = following = new Following(client,
                new Informer<NodeResource>(NodeSource.For(client), _options), tasks,
                new Informer<DeploymentResource>(DeploymentSource.For(client), _options));
        }
        Watch(following, following.Nodes);
        Watch(following, following.Tasks);
        Watch(following, following.Deployments);
        following.Group.Start();
    }

    private void Watch<T>(Following following, Informer<T> informer)
        where T : class
    {
        following.Group.Add(informer);
        informer.AddHandler(new InformerHandler<T>
        {
            DeliverListDifferences = false,
            Synced = (_, _) =>
            {
                if (ReferenceEquals(Current, following)) Error = null;
                return ValueTask.CompletedTask;
            },
        });
        // What an informer of a session already gone hears must not reach the pages of the next.
        informer.Changed += () => { if (ReferenceEquals(Current, following)) Changed?.Invoke(); };
        informer.Interrupted += interruption =>
        {
            if (!ReferenceEquals(Current, following) || interruption.Kind == InterruptionKind.StreamEnded) return;
            Error = interruption.Error?.Message ?? interruption.Reason;
            Changed?.Invoke();
        };
    }

    private void OnSessionChanged()
    {
        // A refreshed token keeps the client (and its open watches); a sign-out or another sign-in does not,
        // and what was seen must not outlive the session that saw it.
        var current = _session.IsSignedIn ? _session.Client : null;
        if (ReferenceEquals(current, Current?.Client)) return;
        _ = StopAsync().AsTask();
        Changed?.Invoke();
    }

    private ValueTask StopAsync()
    {
        Following? stopped;
        lock (_gate)
        {
            stopped = _following;
            _following = null;
        }
        // Readers see an empty cluster at once; the informers wind down in the background.
        return stopped?.Group.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _session.Changed -= OnSessionChanged;
        return StopAsync();
    }

    /// <summary>The informers of one signed-in client, started and stopped together.</summary>
    private sealed record Following(ChasClient Client, Informer<NodeResource> Nodes, Informer<TaskResource> Tasks,
        Informer<DeploymentResource> Deployments)
    {
        public InformerGroup Group { get; } = new();
    }
}
