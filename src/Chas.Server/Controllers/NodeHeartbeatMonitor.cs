using Chas.Contracts;
using Chas.Server.Hosting;
using Chas.Server.State;
using Chas.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Controllers;

/// <summary>
/// Marks a node notready when it has not sent a heartbeat within the timeout, and the tasks it
/// held lost. Checks several times per timeout so the worst-case delay stays a fraction of it.
/// </summary>
public sealed partial class NodeHeartbeatMonitor(
    NodeStore nodes, TaskStore tasks, NodeLiveness liveness, ServerOptions options, TimeProvider time,
    ILogger<NodeHeartbeatMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.HeartbeatTimeout.TotalMilliseconds / 6, 100, 1000));
        using var timer = new PeriodicTimer(period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogCheckFailed(logger, ex);
            }
        }
    }

    internal async Task CheckAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var (all, _) = await nodes.ListAsync(ct);
        foreach (var node in all.Where(n => n.Status == NodeStatus.Ready))
        {
            var silentFor = now - liveness.LastSeen(node.Name);
            if (silentFor < options.HeartbeatTimeout) continue;

            var reason = $"no heartbeat for {(int)silentFor.TotalSeconds}s";
            var updated = await nodes.UpdateAsync(node.Name, n =>
                n.Status == NodeStatus.Ready && now - liveness.LastSeen(n.Name) >= options.HeartbeatTimeout
                    ? n with { Status = NodeStatus.NotReady, Reason = reason } : null, ct);
            if (updated?.Status != NodeStatus.NotReady) continue;
            LogNodeNotReady(logger, node.Name, reason);
            await MarkTasksLostAsync(node.Name, now, ct);
        }
    }

    private async Task MarkTasksLostAsync(string node, DateTimeOffset now, CancellationToken ct)
    {
        var (all, _) = await tasks.ListAsync(ct);
        foreach (var task in all.Where(t => t.Node == node && t.Status.HoldsResources()))
        {
            var lost = await tasks.UpdateAsync(task.Namespace, task.Name, t =>
                t.Uid != task.Uid || t.Node != node || !t.Status.HoldsResources() ? null
                : TaskTransitions.CanReschedule(t) ? TaskTransitions.Reschedule(t, node, now)
                : TaskTransitions.MarkLost(t, node, now), ct);
            if (lost?.Status is TaskPhase.Lost or TaskPhase.Pending) LogTaskLost(logger, task.Name, node);
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Node {Node} is not ready: {Reason}")]
    private static partial void LogNodeNotReady(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Task {Task} lost with node {Node}")]
    private static partial void LogTaskLost(ILogger logger, string task, string node);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Heartbeat check failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
