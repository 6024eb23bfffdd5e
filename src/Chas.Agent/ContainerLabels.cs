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

    public static Dictionary<string, string> For(string node, TaskResource task) => new()
    {
        [Managed] = "true",
        [Node] = node,
        [Namespace] = task.Namespace,
        [Task] = task.Name,
        [Uid] = task.Uid,
    };

    public static Dictionary<string, string> OfNode(string node) => new() { [Managed] = "true", [Node] = node };

    public static string ContainerName(string node, TaskResource task) =>
        $"chas-{node}-{task.Namespace}-{task.Name}-{task.Uid[..Math.Min(8, task.Uid.Length)]}";
}
