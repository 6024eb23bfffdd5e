using Chas.Agent.TaskRunner;
using Chas.Contracts;
using Chas.Runtime;
using Microsoft.Extensions.Logging;

namespace Chas.Agent;

/// <summary>
/// Keeps one <see cref="TaskRun"/> per task bound to this node, fed from the server's list and
/// watch, and removes containers the server no longer assigns here.
/// </summary>
internal sealed partial class TaskSupervisor(IContainerRuntime runtime, StatusReporter reporter, AgentOptions options,
    NodeCredentialHolder identity, TimeProvider time, ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TaskRun> _runs = new(StringComparer.Ordinal);

    public int ActiveRuns
    {
        get { lock (_lock) return _runs.Count; }
    }

    /// <summary>
    /// Full resync with the server's list of tasks bound to this node. Containers this node holds
    /// for any other task are removed first — fencing, so a node that was cut off and came back
    /// never keeps running work that has been given up on.
    /// </summary>
    public async Task ReconcileAsync(IReadOnlyList<TaskResource> assigned, CancellationToken ct)
    {
        var wanted = assigned.Where(t => t.Node == options.NodeName).ToDictionary(t => t.Uid, StringComparer.Ordinal);
        var containers = await runtime.ListAsync(ContainerLabels.OfNode(options.NodeName), ct);
        foreach (var container in containers)
        {
            if (!ContainerLabels.BelongTo(container.Labels, options.NodeName, identity.ClusterMark))
            {
                // Another cluster's node of the same name: alive (a second `chas dev` on this engine) or gone (its data
                // directory removed). Which, only a person can tell; removing a live cluster's work would be worse.
                LogOtherCluster(logger, container.Name);
                continue;
            }
            if (container.Labels.TryGetValue(ContainerLabels.Uid, out var uid) && wanted.ContainsKey(uid)) continue;
            LogFenced(logger, container.Name);
            await runtime.RemoveAsync(container.Id, force: true, ct);
        }

        List<TaskRun> gone;
        lock (_lock)
        {
            gone = _runs.Values.Where(r => !wanted.ContainsKey(r.Uid)).ToList();
            foreach (var run in gone) _runs.Remove(run.Uid);
        }
        foreach (var run in gone) await run.CancelAsync();

        foreach (var task in wanted.Values) OnTaskChanged(task);
    }

    public void OnTaskChanged(TaskResource task)
    {
        if (task.Node != options.NodeName) return;
        lock (_lock)
        {
            if (_runs.TryGetValue(task.Uid, out var run))
            {
                run.Update(task);
                return;
            }
            run = new TaskRun(task, runtime, reporter, options, identity.ClusterMark, time, logger);
            _runs[task.Uid] = run;
            run.Start();
        }
    }

    public async Task OnTaskDeletedAsync(TaskResource task, CancellationToken ct)
    {
        TaskRun? run;
        lock (_lock)
        {
            _runs.Remove(task.Uid, out run);
        }
        if (run is not null) await run.CancelAsync();
        var containers = await runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Uid] = task.Uid }, ct);
        foreach (var container in containers) await runtime.RemoveAsync(container.Id, force: true, ct);
    }

    /// <summary>Whether a container id belongs to a task this agent runs (the agent API serves only those).</summary>
    public async Task<bool> OwnsContainerAsync(string containerId, CancellationToken ct)
    {
        var info = await runtime.InspectAsync(containerId, ct);
        return info is not null && ContainerLabels.BelongTo(info.Labels, options.NodeName, identity.ClusterMark);
    }

    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "Removing container {Container}: the server no longer assigns its task to this node")]
    private static partial void LogFenced(ILogger logger, string container);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning,
        Message = "Leaving container {Container}: it belongs to another cluster's node of this name (a second cluster on this engine, or one whose data directory was removed: then `docker rm -f {Container}`)")]
    private static partial void LogOtherCluster(ILogger logger, string container);
}
