using Chas.Runtime;

namespace Chas.Agent.TaskRunner.Hooks;

/// <summary>
/// The task's filesystems besides its image. Tasks have no mounts in their contract yet, so every container gets an
/// empty list; this is the seam where volumes (and their preparation on the node) will go.
/// </summary>
internal sealed class MountsHook : ITaskHook
{
    public string Name => "mounts";

    public Task PrestartAsync(TaskContext context, CancellationToken ct)
    {
        if (context.Spec is { } spec) context.Spec = spec with { Mounts = Array.Empty<MountSpec>() };
        return Task.CompletedTask;
    }
}
