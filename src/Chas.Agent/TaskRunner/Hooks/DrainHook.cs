using Chas.Contracts;

namespace Chas.Agent.TaskRunner.Hooks;

/// <summary>
/// An instance that may receive traffic left the ingress when its stop was requested (the ingress follows the same
/// watch); give the ingress time to notice and in-flight requests time to finish before SIGTERM, so a rolling update
/// or a scale-down loses no request.
/// </summary>
internal sealed class DrainHook : ITaskHook
{
    public string Name => "drain";

    public async Task PreKillAsync(TaskContext context, CancellationToken ct)
    {
        var task = context.Task;
        var delay = context.Options.DrainDelay;
        if (task.PublishedPorts.Count > 0 && task.Deployment is not null && !task.Status.IsTerminal() && delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, context.Time, ct);
        }
    }
}
