using Chas.Contracts;
using Chas.Server.Hosting;
using Chas.Server.Leadership;
using Chas.Server.State;
using Chas.Store;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Controllers;

/// <summary>
/// Marks a node notready when it has not sent a heartbeat within the timeout, and the tasks it
/// held lost. Checks several times per timeout so the worst-case delay stays a fraction of it.
/// Runs only on the leader (see <see cref="LeaderOnlyService"/>).
/// </summary>
public sealed partial class NodeHeartbeatMonitor(
    ClusterCache cache, IObjectStore store, NodeStore nodes, TaskStore tasks, NodeLiveness liveness, ServerOptions options, TimeProvider time,
    EventLog events, LeaderElection election, ILogger<NodeHeartbeatMonitor> logger) : LeaderOnlyService(election)
{
    // What each node was at the last check, to tell NodeReady transitions (the heartbeat API makes them); null before the first check.
    private Dictionary<string, NodeStatus>? _seen;
    private DateTimeOffset _leadingSince = DateTimeOffset.MinValue;

    protected override ILogger Logger => logger;

    protected override async Task RunAsLeaderAsync(CancellationToken stoppingToken)
    {
        var leadingSince = Election.CurrentTerm?.LeadingSince ?? time.GetUtcNow();
        if (leadingSince != _leadingSince)
        {
            // Leading anew (not a term that directly follows one of this server's own): start from what the nodes
            // are now, so transitions another leader saw are not reported twice, and give every node a fresh grace
            // period from now, as at a restart: heartbeats that reached another leader are not known here.
            _seen = null;
            _leadingSince = leadingSince;
        }
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.HeartbeatTimeout.TotalMilliseconds / 6, 100, 1000));
        using var timer = new PeriodicTimer(period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not FencedOutException)
            {
                LogCheckFailed(logger, ex);
            }
        }
    }

    internal async Task CheckAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        RecordReadyTransitions();
        foreach (var node in cache.Nodes().Where(n => n.Status == NodeStatus.Ready))
        {
            if (now - LastSeen(node.Name) < options.HeartbeatTimeout) continue;
            // Silent here; its heartbeats may be reaching another server of this database.
            await liveness.RefreshAsync(node.Name, ct);
            var silentFor = now - LastSeen(node.Name);
            if (silentFor < options.HeartbeatTimeout) continue;

            var reason = $"no heartbeat for {(int)silentFor.TotalSeconds}s";
            var updated = await nodes.UpdateAsync(node.Name, n =>
                n.Status == NodeStatus.Ready && now - LastSeen(n.Name) >= options.HeartbeatTimeout
                    ? n with { Status = NodeStatus.NotReady, Reason = reason } : null, ct);
            if (updated?.Status != NodeStatus.NotReady) continue;
            LogNodeNotReady(logger, node.Name, reason);
            events.RecordNode(node.Name, EventReasons.NodeNotReady, $"node {node.Name} is not ready: {reason}", warning: true);
            if (_seen is not null) _seen[node.Name] = NodeStatus.NotReady;
            await MarkTasksLostAsync(node.Name, updated.ResourceVersion, now, ct);
        }
    }

    private DateTimeOffset LastSeen(string node) => Latest(liveness.LastSeen(node));

    // Nothing counts from before this term began: heartbeats that reached another leader are not known here.
    private DateTimeOffset Latest(DateTimeOffset seen) => seen > _leadingSince ? seen : _leadingSince;

    private void RecordReadyTransitions()
    {
        var first = _seen is null;
        var seen = new Dictionary<string, NodeStatus>(StringComparer.Ordinal);
        foreach (var node in cache.Nodes())
        {
            seen[node.Name] = node.Status;
            if (!first && node.Status == NodeStatus.Ready && _seen!.GetValueOrDefault(node.Name, NodeStatus.NotReady) != NodeStatus.Ready)
                events.RecordNode(node.Name, EventReasons.NodeReady, $"node {node.Name} is ready");
        }
        _seen = seen;
    }

    private async Task MarkTasksLostAsync(string node, long notReadyRevision, DateTimeOffset now, CancellationToken ct)
    {
        // The node's own write, not the store's latest revision: that may be of a kind the cache does not follow (events).
        await cache.WaitForRevisionAsync(notReadyRevision, ct);
        var held = cache.Tasks().Where(t => t.Node == node && t.Status.HoldsResources()).ToList();
        if (held.Count == 0) return;
        try
        {
            // Everything the node held, in one commit.
            var settled = held.Select(t => Settle(t, node, now)).ToList();
            await store.CommitAsync(settled.Select(tasks.Write).ToList(), ct);
            foreach (var task in settled) Lost(task, node);
            return;
        }
        catch (ConflictException)
        {
            // Some task changed meanwhile (a late report): settle them one by one on fresh state.
        }
        foreach (var task in held)
        {
            var lost = await tasks.UpdateAsync(task.Namespace, task.Name, t =>
                t.Uid != task.Uid || t.Node != node || !t.Status.HoldsResources() ? null : Settle(t, node, now), ct);
            if (lost?.Status is TaskPhase.Lost or TaskPhase.Pending) Lost(lost, node);
        }
    }

    private void Lost(TaskResource task, string node)
    {
        LogTaskLost(logger, task.Name, node);
        if (task.Status == TaskPhase.Pending)
        {
            events.RecordTask(task, EventReasons.Rescheduled, $"node {node} stopped sending heartbeats: back to pending, to be placed on another node");
            return;
        }
        events.RecordTask(task with { Node = node }, EventReasons.Lost, $"node {node} stopped sending heartbeats", warning: true);
        if (task.Deployment is not null)
            events.RecordTask(task with { Node = node }, EventReasons.Rescheduled, $"deployment {task.Deployment} replaces it on another node");
    }

    /// <summary>Back to pending when its restart policy allows another try elsewhere, else lost.</summary>
    private static TaskResource Settle(TaskResource task, string node, DateTimeOffset now) =>
        TaskTransitions.CanReschedule(task) ? TaskTransitions.Reschedule(task, node, now) : TaskTransitions.MarkLost(task, node, now);

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Node {Node} is not ready: {Reason}")]
    private static partial void LogNodeNotReady(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Task {Task} lost with node {Node}")]
    private static partial void LogTaskLost(ILogger logger, string task, string node);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Heartbeat check failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
