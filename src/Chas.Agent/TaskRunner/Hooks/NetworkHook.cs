using Chas.Runtime;

namespace Chas.Agent.TaskRunner.Hooks;

/// <summary>
/// The container's network: the engine's default network, with the task's published ports on the node's address
/// unless the port names its own.
/// </summary>
internal sealed class NetworkHook : ITaskHook
{
    public string Name => "network";

    public Task PrestartAsync(TaskContext context, CancellationToken ct)
    {
        if (context.Spec is not { } spec) return Task.CompletedTask;
        var address = context.Options.Address;
        context.Spec = spec with
        {
            Network = NetworkAttachment.Default,
            Ports = context.Task.PublishedPorts
                .Select(p => new PortBinding(p.ContainerPort, p.HostPort, string.IsNullOrEmpty(p.HostIp) ? address : p.HostIp, p.Protocol))
                .ToList(),
        };
        return Task.CompletedTask;
    }
}
