using System.Threading.Channels;
using Chas.Contracts;

namespace Chas.Ingress.Watch;

/// <summary>
/// What the ingress knows of the cluster — deployments, deployment instances and node addresses — as
/// the list+watch last reported it. Every change that may move a route raises one coalesced signal.
/// </summary>
internal sealed class ClusterObjects
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Namespace, string Name), DeploymentResource> _deployments = [];
    private readonly Dictionary<(string Namespace, string Name), TaskResource> _instances = [];
    private readonly Dictionary<string, string> _nodeAddresses = new(StringComparer.Ordinal);
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>True once a full list has been loaded: before that the ingress routes nothing.</summary>
    public bool Synced { get; private set; }

    public sealed record Snapshot(IReadOnlyList<DeploymentResource> Deployments, IReadOnlyList<TaskResource> Instances,
        IReadOnlyDictionary<string, string> NodeAddresses);

    public Snapshot Read()
    {
        lock (_lock)
            return new Snapshot([.. _deployments.Values], [.. _instances.Values], new Dictionary<string, string>(_nodeAddresses, StringComparer.Ordinal));
    }

    /// <summary>Completes when something changed since the last call (many changes wake it once).</summary>
    public ValueTask<bool> WaitForChangeAsync(CancellationToken ct) => _changes.Reader.ReadAsync(ct);

    /// <summary>Replaces everything with a fresh list (after a start or a broken watch).</summary>
    public void Reset(IEnumerable<DeploymentResource> deployments, IEnumerable<TaskResource> tasks, IEnumerable<NodeResource> nodes)
    {
        lock (_lock)
        {
            _deployments.Clear();
            foreach (var d in deployments) _deployments[(d.Namespace, d.Name)] = d;
            _instances.Clear();
            foreach (var t in tasks.Where(t => t.Deployment is not null)) _instances[(t.Namespace, t.Name)] = t;
            _nodeAddresses.Clear();
            foreach (var n in nodes) _nodeAddresses[n.Name] = n.Address;
            Synced = true;
        }
        Signal();
    }

    public void Apply(WatchEvent<DeploymentResource> ev)
    {
        if (ev.Object is not { } d) return;
        lock (_lock)
        {
            if (ev.Type == WatchEventTypes.Deleted) _deployments.Remove((d.Namespace, d.Name));
            else if (ev.Type is WatchEventTypes.Added or WatchEventTypes.Modified) _deployments[(d.Namespace, d.Name)] = d;
            else return;
        }
        Signal();
    }

    public void Apply(WatchEvent<TaskResource> ev)
    {
        // Standalone tasks are never routed to.
        if (ev.Object is not { Deployment: not null } t) return;
        lock (_lock)
        {
            if (ev.Type == WatchEventTypes.Deleted) _instances.Remove((t.Namespace, t.Name));
            else if (ev.Type is WatchEventTypes.Added or WatchEventTypes.Modified) _instances[(t.Namespace, t.Name)] = t;
            else return;
        }
        Signal();
    }

    public void Apply(WatchEvent<NodeResource> ev)
    {
        if (ev.Object is not { } n) return;
        lock (_lock)
        {
            // Heartbeats modify nodes every few seconds; only the address matters for routing.
            if (ev.Type == WatchEventTypes.Deleted)
            {
                if (!_nodeAddresses.Remove(n.Name)) return;
            }
            else if (ev.Type is WatchEventTypes.Added or WatchEventTypes.Modified)
            {
                if (_nodeAddresses.TryGetValue(n.Name, out var address) && address == n.Address) return;
                _nodeAddresses[n.Name] = n.Address;
            }
            else return;
        }
        Signal();
    }

    private void Signal() => _changes.Writer.TryWrite(true);
}
