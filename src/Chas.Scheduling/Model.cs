using System.Collections.Frozen;
using System.Collections.ObjectModel;
using Chas.Contracts;

namespace Chas.Scheduling;

/// <summary>What the scheduler knows of one node at one instant. Immutable; no I/O behind it.</summary>
public sealed record NodeSnapshot
{
    public required string Name { get; init; }
    public string Address { get; init; } = "";
    public bool Ready { get; init; } = true;
    /// <summary>False when cordoned: existing work stays, new work goes elsewhere.</summary>
    public bool Schedulable { get; init; } = true;
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Capacity minus the node's reserve.</summary>
    public required ResourceAmounts Allocatable { get; init; }
    /// <summary>Sum of the requests of the work bound to the node.</summary>
    public ResourceAmounts Allocated { get; init; } = ResourceAmounts.Zero;
    /// <summary>Number of workloads bound to the node (tie-breaker for "least loaded").</summary>
    public int Workloads { get; init; }
    public PortRange PortRange { get; init; } = new(20000, 29999);
    /// <summary>Host ports in use, as "port/protocol" keys, e.g. "20001/tcp".</summary>
    public IReadOnlySet<string> UsedPorts { get; init; } = new HashSet<string>();
    // The defaults below are shared empty instances: most nodes have no GPUs and no replicas, and a
    // snapshot of thousands of nodes is rebuilt on every scheduling pass.
    /// <summary>The GPU indices on the node, as nvidia-smi numbers them, e.g. [0, 1, 2, 3].</summary>
    public IReadOnlyList<int> Gpus { get; init; } = [];
    /// <summary>The GPU indices held by work bound to the node.</summary>
    public IReadOnlySet<int> UsedGpus { get; init; } = FrozenSet<int>.Empty;
    /// <summary>How many instances of each placement group (e.g. a deployment's replicas) are bound to the node.</summary>
    public IReadOnlyDictionary<string, int> GroupCounts { get; init; } = ReadOnlyDictionary<string, int>.Empty;
}

public sealed record ClusterSnapshot(IReadOnlyList<NodeSnapshot> Nodes);

/// <summary>One workload to place.</summary>
public sealed record PlacementRequest
{
    public required string Name { get; init; }
    public ResourceAmounts Requests { get; init; } = ResourceAmounts.Zero;
    public IReadOnlyList<PortMapping> Ports { get; init; } = [];
    /// <summary>Every pair must be among the node's labels.</summary>
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>();
    /// <summary>Which scorers rank the feasible nodes: spread work out, or pack it tight.</summary>
    public PlacementStrategy Strategy { get; init; } = PlacementStrategy.Spread;
    /// <summary>How many GPUs, any free ones (the lowest indices); 0 or less asks for none.</summary>
    public int Gpus { get; init; }
    /// <summary>Exactly these GPU indices; when not empty it wins over <see cref="Gpus"/>.</summary>
    public IReadOnlyList<int> GpuIndices { get; init; } = [];
    /// <summary>
    /// Only this node may take the request (a system deployment's instance): it alone is filtered, nothing is
    /// scored, and a rejection names its reason. Null: any node.
    /// </summary>
    public string? RequiredNode { get; init; }
    /// <summary>
    /// The instances that should not share a node, e.g. the replicas of one deployment (its name).
    /// Spread keeps them apart; null or empty for none.
    /// </summary>
    public string? Group { get; init; }
}

/// <summary>
/// The outcome of placing one request: a node and the host ports and GPUs chosen there, or null with a
/// reason that counts the rejections, e.g. "0/3 nodes available: 2 insufficient memory, 1 not ready".
/// </summary>
public sealed record PlacementResult
{
    public string? Node { get; init; }
    public IReadOnlyList<PublishedPort> Ports { get; init; } = [];
    /// <summary>The GPU indices allocated on the node: the requested ones, or the lowest free ones for a count.</summary>
    public IReadOnlyList<int> GpuIndices { get; init; } = [];
    public string? Reason { get; init; }
    /// <summary>
    /// Why each rejected node was rejected (node name → first failing filter's reason). A failed placement
    /// lists every node; a successful one on more than 100 nodes only those it looked at before it had
    /// found enough feasible ones.
    /// </summary>
    public IReadOnlyDictionary<string, string> Rejections { get; init; } = new Dictionary<string, string>();

    public bool Success => Node is not null;
}
