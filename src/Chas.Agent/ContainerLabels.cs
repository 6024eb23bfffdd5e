using Chas.Contracts;

namespace Chas.Agent;

/// <summary>
/// Labels on every container an agent creates, so that it finds its own again after a restart and
/// leaves alone those of other agents sharing the same engine.
/// </summary>
public static class ContainerLabels
{
    public const string Managed = "io.chas.managed";
    public const string Node = "io.chas.node";
    public const string Namespace = "io.chas.namespace";
    public const string Task = "io.chas.task";
    public const string Uid = "io.chas.uid";
    /// <summary>See <see cref="NodeCredentialHolder.ClusterMark"/>.</summary>
    public const string Cluster = "io.chas.cluster";

    public static Dictionary<string, string> For(string node, string? cluster, TaskResource task)
    {
        var labels = new Dictionary<string, string>
        {
            [Managed] = "true",
            [Node] = node,
            [Namespace] = task.Namespace,
            [Task] = task.Name,
            [Uid] = task.Uid,
        };
        if (cluster is not null) labels[Cluster] = cluster;
        return labels;
    }

    /// <summary>The engine's filter for this node's containers; <see cref="BelongTo"/> then leaves out another cluster's.</summary>
    public static Dictionary<string, string> OfNode(string node) => new() { [Managed] = "true", [Node] = node };

    /// <summary>
    /// Whether a container is this agent's: its node, and its cluster when both are known. A container from before
    /// the cluster label counts as this cluster's, as it did then.
    /// </summary>
    public static bool BelongTo(IReadOnlyDictionary<string, string> labels, string node, string? cluster) =>
        labels.TryGetValue(Node, out var n) && n == node
        && (cluster is null || !labels.TryGetValue(Cluster, out var c) || c == cluster);

    public static string ContainerName(string node, TaskResource task) =>
        $"chas-{node}-{task.Namespace}-{task.Name}-{task.Uid[..Math.Min(8, task.Uid.Length)]}";
}
