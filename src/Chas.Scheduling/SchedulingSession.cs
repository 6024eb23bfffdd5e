using System.Collections.Immutable;
using Chas.Contracts;

namespace Chas.Scheduling;

/// <summary>
/// One batch of placements on one snapshot, as a scheduling pass makes them: every successful
/// <see cref="Place"/> is assumed at once on the session's working copy of the nodes, so the next
/// placement sees it (the Kubernetes scheduler's "assume", without a new snapshot per bind).
/// A bind costs the same on 5 nodes as on 5,000: only the chosen node's record is replaced, and a set
/// it changes (used ports, used GPUs, group counts) is copied the first time only, then added to in place.
/// The snapshot the session started from is never changed. Not thread-safe: one pass, one thread.
/// </summary>
public sealed class SchedulingSession
{
    private readonly Scheduler _scheduler;
    private readonly NodeSnapshot[] _nodes;
    // Per node, the sets this session made itself and has not handed out: only those are added to in place.
    private readonly OwnedSets[] _owned;
    // Built on the first look-up by name: a pass that only places never needs it.
    private Dictionary<string, int>? _indexByName;

    internal SchedulingSession(Scheduler scheduler, IReadOnlyList<NodeSnapshot> nodes)
    {
        _scheduler = scheduler;
        _nodes = [.. nodes];
        _owned = new OwnedSets[_nodes.Length];
    }

    [Flags]
    private enum OwnedSets : byte
    {
        None = 0,
        Ports = 1,
        Gpus = 2,
        Groups = 4,
    }

    public int NodeCount => _nodes.Length;

    /// <summary>
    /// As <see cref="Scheduler.Place(ClusterSnapshot, PlacementRequest)"/> on the session's current state
    /// (same sampling, same rotating start, same result), and on success the placement is assumed:
    /// the node's allocation, workload count, used ports, used GPUs and group count include it.
    /// </summary>
    public PlacementResult Place(PlacementRequest request)
    {
        var result = _scheduler.Place(_nodes, request, out var index);
        if (index >= 0) Assume(index, request, result.Ports, result.GpuIndices);
        return result;
    }

    /// <summary>
    /// Records work bound to the node outside <see cref="Place"/>, as
    /// <see cref="Scheduler.Assume(ClusterSnapshot, string, PlacementRequest, IReadOnlyList{PublishedPort}, IReadOnlyList{int})"/>
    /// does on a snapshot. Without GPUs given, the ones Place would allocate on the node now.
    /// </summary>
    /// <exception cref="ArgumentException">No node of that name.</exception>
    /// <exception cref="InvalidOperationException">The request wants more GPUs than the node has free.</exception>
    public void Assume(string nodeName, PlacementRequest request, IReadOnlyList<PublishedPort> ports, IReadOnlyList<int>? gpuIndices = null)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ports);
        var index = IndexOf(nodeName);
        if (index < 0) throw new ArgumentException($"Node '{nodeName}' is not in the session.", nameof(nodeName));
        Assume(index, request, ports, gpuIndices ?? GpuPicker.Pick(_nodes[index], request));
    }

    /// <summary>The node's record as it stands now, placements of this session included; null when there is none of that name.</summary>
    public NodeSnapshot? Node(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var index = IndexOf(name);
        if (index < 0) return null;
        // Handed out: from now on its sets must stay as they are, so the next bind copies them again.
        _owned[index] = OwnedSets.None;
        return _nodes[index];
    }

    /// <summary>The cluster as it stands now, placements of this session included. O(nodes): for the end of a pass, or a test.</summary>
    public ClusterSnapshot ToSnapshot()
    {
        Array.Clear(_owned);
        return new ClusterSnapshot(ImmutableArray.Create(_nodes));
    }

    private void Assume(int index, PlacementRequest request, IReadOnlyList<PublishedPort> ports, IReadOnlyList<int> gpuIndices)
    {
        var node = _nodes[index];
        var owned = _owned[index];
        var usedPorts = node.UsedPorts;
        if (ports.Count > 0)
        {
            var set = (owned & OwnedSets.Ports) != 0 ? (HashSet<string>)usedPorts : NodeAssumption.CopyPorts(usedPorts);
            NodeAssumption.AddPorts(set, ports);
            usedPorts = set;
            owned |= OwnedSets.Ports;
        }
        var usedGpus = node.UsedGpus;
        if (gpuIndices.Count > 0)
        {
            var set = (owned & OwnedSets.Gpus) != 0 ? (HashSet<int>)usedGpus : new HashSet<int>(usedGpus);
            NodeAssumption.AddGpus(set, gpuIndices);
            usedGpus = set;
            owned |= OwnedSets.Gpus;
        }
        var groupCounts = node.GroupCounts;
        if (!string.IsNullOrEmpty(request.Group))
        {
            var counts = (owned & OwnedSets.Groups) != 0 ? (Dictionary<string, int>)groupCounts : NodeAssumption.CopyGroups(groupCounts);
            NodeAssumption.AddGroup(counts, request.Group);
            groupCounts = counts;
            owned |= OwnedSets.Groups;
        }
        _nodes[index] = node with
        {
            Allocated = node.Allocated.Add(request.Requests),
            Workloads = node.Workloads + 1,
            UsedPorts = usedPorts,
            UsedGpus = usedGpus,
            GroupCounts = groupCounts,
        };
        _owned[index] = owned;
    }

    /// <summary>The first node of that name, as the snapshot overloads of Assume find it.</summary>
    private int IndexOf(string name)
    {
        if (_indexByName is null)
        {
            _indexByName = new Dictionary<string, int>(_nodes.Length, StringComparer.Ordinal);
            for (var i = 0; i < _nodes.Length; i++) _indexByName.TryAdd(_nodes[i].Name, i);
        }
        return _indexByName.TryGetValue(name, out var index) ? index : -1;
    }
}
