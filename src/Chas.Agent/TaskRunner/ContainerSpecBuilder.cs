using Chas.Contracts;
using Chas.Runtime;

namespace Chas.Agent.TaskRunner;

/// <summary>
/// The task's own part of its container spec: image, command, environment, labels, limits, GPUs and hardening flags.
/// Mounts and the network attachment (with published ports) are added by their hooks.
/// </summary>
internal static class ContainerSpecBuilder
{
    public static ContainerSpec Build(TaskResource task, AgentOptions options, string? cluster) => new()
    {
        Name = ContainerLabels.ContainerName(options.NodeName, task),
        Image = task.Image,
        Command = task.Command,
        Env = task.Env,
        CpuMillis = task.CpuMillis,
        MemoryBytes = task.MemoryBytes,
        Labels = ContainerLabels.For(options.NodeName, cluster, task),
        GpuIndices = task.AssignedGpus,
        // Passed as the server stored them: the server alone decides who may have a privileged task.
        Privileged = task.Privileged,
        ReadOnlyRootFilesystem = task.ReadOnlyRootFilesystem,
    };
}
