using System.Collections.Immutable;
using System.Collections.ObjectModel;
using Chas.Contracts;
using Chas.Scheduling.Filters;
using Chas.Scheduling.Scorers;

namespace Chas.Scheduling;

/// <summary>
/// Places one request on a snapshot of the cluster: the filters on the nodes, the request's strategy
/// scores the nodes that pass, the best wins. A cluster of up to 100 nodes is scanned whole; on a larger
/// one filtering stops once max(100, 5 %) of its nodes were found feasible, and the next placement
/// starts where this one stopped, so that successive placements look at different parts of the cluster
/// (Kubernetes' percentageOfNodesToScore). That offset is the only state past the plugins; it is a hint,
/// so one instance still serves any number of threads. The shape is the Kubernetes scheduling framework's
/// Filter and Score extension points, and Nomad's feasibility checkers and rankers.
/// </summary>
public sealed class Scheduler
{
    private readonly IFilterPlugin[] _filters;
    // Indexed by (int)PlacementStrategy: a dictionary lookup per placement is cheap, but an array is cheaper.
    private readonly WeightedScorePlugin[][] _scorersByStrategy;
    // Where the next scan of a large cluster starts. Racing threads may lose an update: that only
    // makes two placements look at overlapping nodes, never changes what fits.
    private int _nextStartIndex;

    /// <param name="filters">Run in this order; the first to reject a node names the reason.</param>
    /// <param name="scorersByStrategy">The scorers of each strategy; a strategy left out ranks by the tie-breakers alone.</param>
    public Scheduler(
        IEnumerable<IFilterPlugin> filters,
        IReadOnlyDictionary<PlacementStrategy, IReadOnlyList<WeightedScorePlugin>> scorersByStrategy)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(scorersByStrategy);
        _filters = [.. filters];
        var strategies = Enum.GetValues<PlacementStrategy>();
        _scorersByStrategy = new WeightedScorePlugin[strategies.Max(s => (int)s) + 1][];
        foreach (var strategy in strategies)
            _scorersByStrategy[(int)strategy] = scorersByStrategy.TryGetValue(strategy, out var scorers) ? [.. scorers] : [];
    }

    /// <summary>
    /// How much keeping a group's instances apart counts in Spread against LeastAllocated's 1. A node with
    /// no instance of the group scores 100 on GroupSpread, one with any scores 50 or less, so weight 2 puts
    /// at least 100 points between them: all that LeastAllocated can ever tell two nodes apart by. Every
    /// node that fits gets one instance before any gets a second; past that, siblings and free share trade off.
    /// </summary>
    internal const int GroupSpreadWeight = 2;

    /// <summary>
    /// Ready, selector, resources, GPUs, ports; spread by least allocated and apart from the request's
    /// group, binpack by most allocated (it packs on purpose, replicas included).
    /// </summary>
    public static Scheduler CreateDefault() => new(
        [new NodeReadyFilter(), new NodeSelectorFilter(), new ResourcesFitFilter(), new GpuFilter(), new HostPortsFilter()],
        new Dictionary<PlacementStrategy, IReadOnlyList<WeightedScorePlugin>>
        {
            [PlacementStrategy.Spread] = [new WeightedScorePlugin(new LeastAllocatedScorer()), new WeightedScorePlugin(new GroupSpreadScorer(), GroupSpreadWeight)],
            [PlacementStrategy.Binpack] = [new WeightedScorePlugin(new MostAllocatedScorer())],
        });

    /// <summary>
    /// The best node for the request, its host ports and GPUs, or no node and a reason counting why each
    /// node was rejected. Equal scores go to the node with fewer workloads, then the lower name (ordinal).
    /// On up to 100 nodes every node is considered, so the same snapshot and request always give the same
    /// answer. On more, the best of the nodes scanned (at least max(100, 5 %) feasible ones, starting where
    /// this scheduler's previous placement stopped) wins, and only their rejections are listed; a placement
    /// that fails has scanned, and counts, every node. Node names must be unique.
    /// </summary>
    public PlacementResult Place(ClusterSnapshot cluster, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(request);
        return Place(cluster.Nodes, request, out _);
    }

    /// <summary>
    /// A session that places a batch of requests one after the other on a working copy of the snapshot,
    /// each seeing the ones before it, at a cost that does not grow with the cluster per bind. The
    /// snapshot itself is left untouched.
    /// </summary>
    public SchedulingSession StartSession(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return new SchedulingSession(this, cluster.Nodes);
    }

    /// <summary>The scan behind both Place methods; <paramref name="bestIndex"/> is the chosen node's position, or -1.</summary>
    internal PlacementResult Place(IReadOnlyList<NodeSnapshot> nodes, PlacementRequest request, out int bestIndex)
    {
        ArgumentNullException.ThrowIfNull(request);
        bestIndex = -1;
        var count = nodes.Count;
        if (count == 0) return new PlacementResult { Reason = RejectionSummary.NoNodes };
        if (request.RequiredNode is { } required) return PlaceOn(nodes, required, request, out bestIndex);
        var scorers = ScorersFor(request.Strategy);
        var enough = NodeSampling.FeasibleNodesToFind(count);
        var index = NodeSampling.StartIndex(count, Volatile.Read(ref _nextStartIndex));

        NodeRejections? rejections = null;
        NodeSnapshot? best = null;
        var bestScore = 0.0;
        var feasible = 0;
        for (var examined = 0; examined < count && feasible < enough; examined++)
        {
            var node = nodes[index];
            var position = index;
            if (++index == count) index = 0;
            var rejection = FirstRejection(node, request);
            if (rejection is not null)
            {
                (rejections ??= new NodeRejections()).Add(node.Name, rejection);
                continue;
            }
            feasible++;
            var score = Score(node, request, scorers);
            if (best is null || IsBetter(score, node, bestScore, best))
            {
                best = node;
                bestScore = score;
                bestIndex = position;
            }
        }
        // The next placement starts after the last node this one looked at (unchanged after a full scan).
        if (count > NodeSampling.MinFeasibleNodesToFind) Volatile.Write(ref _nextStartIndex, index);

        var whyRejected = (IReadOnlyDictionary<string, string>?)rejections ?? ReadOnlyDictionary<string, string>.Empty;
        if (best is null)
        {
            return new PlacementResult
            {
                Reason = RejectionSummary.Describe(count, rejections!.Values),
                Rejections = whyRejected,
            };
        }
        return new PlacementResult
        {
            Node = best.Name,
            Ports = HostPortPicker.Pick(best, request.Ports),
            GpuIndices = GpuPicker.Pick(best, request),
            Rejections = whyRejected,
        };
    }

    /// <summary>
    /// A request bound to one node (Nomad's system scheduler checks feasibility the same way): the filters on
    /// that node only, so the cost does not grow with the cluster, and no scan offset moves.
    /// </summary>
    private PlacementResult PlaceOn(IReadOnlyList<NodeSnapshot> nodes, string nodeName, PlacementRequest request, out int index)
    {
        index = IndexOf(nodes, nodeName);
        if (index < 0) return new PlacementResult { Reason = $"0/1 nodes available: node {nodeName} is not registered" };
        var node = nodes[index];
        if (FirstRejection(node, request) is { } rejection)
        {
            index = -1;
            return new PlacementResult
            {
                Reason = RejectionSummary.Describe(1, [rejection]) + $" (node {nodeName})",
                Rejections = new Dictionary<string, string>(StringComparer.Ordinal) { [nodeName] = rejection },
            };
        }
        return new PlacementResult
        {
            Node = node.Name,
            Ports = HostPortPicker.Pick(node, request.Ports),
            GpuIndices = GpuPicker.Pick(node, request),
        };
    }

    /// <summary>
    /// The snapshot as it will be once the placement is bound: the node's allocation, workload count,
    /// used ports, used GPUs and group count include the request. Lets a batch of pending requests be
    /// placed one after the other before any bind is persisted (the Kubernetes scheduler's "assume").
    /// The other node records are shared, not copied; only the list of references is, which costs
    /// O(nodes) per bind: a batch is cheaper placed through <see cref="StartSession"/>.
    /// </summary>
    public ClusterSnapshot Assume(ClusterSnapshot cluster, PlacementRequest request, PlacementResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Node is null) throw new ArgumentException("Only a successful placement can be assumed.", nameof(result));
        return Assume(cluster, result.Node, request, result.Ports, result.GpuIndices);
    }

    /// <summary>
    /// As <see cref="Assume(ClusterSnapshot, PlacementRequest, PlacementResult)"/>; the GPUs are the ones
    /// <see cref="Place(ClusterSnapshot, PlacementRequest)"/> allocates on that node of this snapshot (the requested indices, or the lowest
    /// free ones), which is what it returned when this snapshot is the one it placed on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request wants more GPUs than the node has free.</exception>
    public ClusterSnapshot Assume(ClusterSnapshot cluster, string nodeName, PlacementRequest request, IReadOnlyList<PublishedPort> ports)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(request);
        var index = IndexOf(cluster.Nodes, nodeName);
        if (index < 0) throw new ArgumentException($"Node '{nodeName}' is not in the snapshot.", nameof(nodeName));
        return Assume(cluster, nodeName, request, ports, GpuPicker.Pick(cluster.Nodes[index], request));
    }

    /// <summary>As <see cref="Assume(ClusterSnapshot, PlacementRequest, PlacementResult)"/>, with the GPUs given.</summary>
    public ClusterSnapshot Assume(
        ClusterSnapshot cluster, string nodeName, PlacementRequest request, IReadOnlyList<PublishedPort> ports, IReadOnlyList<int> gpuIndices)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(gpuIndices);
        var nodes = cluster.Nodes;
        var index = IndexOf(nodes, nodeName);
        if (index < 0) throw new ArgumentException($"Node '{nodeName}' is not in the snapshot.", nameof(nodeName));

        var assumed = NodeAssumption.With(nodes[index], request, ports, gpuIndices);
        return cluster with { Nodes = ReplaceAt(nodes, index, assumed) };
    }

    private WeightedScorePlugin[] ScorersFor(PlacementStrategy strategy)
    {
        var index = (int)strategy;
        if ((uint)index >= (uint)_scorersByStrategy.Length)
            throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown placement strategy.");
        return _scorersByStrategy[index];
    }

    private string? FirstRejection(NodeSnapshot node, PlacementRequest request)
    {
        foreach (var filter in _filters)
        {
            var status = filter.Filter(node, request);
            if (!status.IsSuccess) return status.Reason;
        }
        return null;
    }

    private static double Score(NodeSnapshot node, PlacementRequest request, WeightedScorePlugin[] scorers)
    {
        var total = 0.0;
        foreach (var scorer in scorers)
        {
            if (scorer.Weight == 0) continue;
            var score = scorer.Plugin.Score(node, request);
            // A misbehaving plugin must not poison the comparison: NaN never wins and never loses.
            if (double.IsNaN(score)) continue;
            total += scorer.Weight * score;
        }
        return total;
    }

    private static bool IsBetter(double score, NodeSnapshot node, double bestScore, NodeSnapshot best)
    {
        if (score != bestScore) return score > bestScore;
        if (node.Workloads != best.Workloads) return node.Workloads < best.Workloads;
        return string.CompareOrdinal(node.Name, best.Name) < 0;
    }

    private static int IndexOf(IReadOnlyList<NodeSnapshot> nodes, string nodeName)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            if (string.Equals(nodes[i].Name, nodeName, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    /// <summary>One reference array copy: a memcpy of 40 KB for 5,000 nodes, no node record copied.</summary>
    private static ImmutableArray<NodeSnapshot> ReplaceAt(IReadOnlyList<NodeSnapshot> nodes, int index, NodeSnapshot node)
    {
        if (nodes is ImmutableArray<NodeSnapshot> immutable) return immutable.SetItem(index, node);
        var builder = ImmutableArray.CreateBuilder<NodeSnapshot>(nodes.Count);
        builder.AddRange(nodes);
        builder[index] = node;
        return builder.MoveToImmutable();
    }
}
