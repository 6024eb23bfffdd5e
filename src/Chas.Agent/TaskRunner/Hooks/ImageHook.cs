using Chas.Contracts;

namespace Chas.Agent.TaskRunner.Hooks;

/// <summary>Makes the task's image present before its container is created; a pull failure fails the creation.</summary>
internal sealed class ImageHook : ITaskHook
{
    public string Name => "image";

    public async Task PrestartAsync(TaskContext context, CancellationToken ct)
    {
        var task = context.Task;
        var pullStarted = context.Time.GetTimestamp();
        await context.Runtime.EnsureImageAsync(task.Image, ct);
        // The runtime does not say whether it downloaded or found the image: "Pulled" means "present now".
        context.Reporter.ReportEvent(task, EventReasons.Pulled,
            $"image {task.Image} is present on node {task.Node} (ensured in {context.Time.GetElapsedTime(pullStarted).TotalSeconds:0.###}s)");
    }
}
