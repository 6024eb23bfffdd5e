using Chas.Contracts;

namespace Chas.Server.Controllers;

/// <summary>
/// A system deployment's reconcile, pure: exactly one instance of it on every node it runs on
/// (<see cref="SystemDeployments.RunsOn"/>), none elsewhere. A node without one gets one, bound to it
/// (<see cref="TaskResource.PinnedNode"/>), whatever the rollout is doing: a node that joins, an instance
/// that failed or was lost. A new revision goes node by node: at most <c>maxUnavailable</c> nodes at a
/// time lose their ready instance (the old one is stopped, and the new one is created once it has ended,
/// so both never want the node's host ports at once), or, with <c>maxSurge</c>, up to that many nodes
/// start the new one beside the old, which stops when the new one is ready.
/// </summary>
public static class SystemDeploymentPlanner
{
    public static DeploymentPlan Plan(DeploymentResource deployment, IReadOnlyList<TaskResource> instances,
        IReadOnlyList<NodeResource> nodes, DateTimeOffset now)
    {
        var eligible = SystemDeployments.NodesFor(deployment.Template, nodes);
        var eligibleNames = eligible.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var dead = instances.Where(i => i.Status.IsTerminal()).ToList();
        var alive = instances.Where(i => !i.Status.IsTerminal()).ToList();

        var stop = new List<TaskResource>();
        // Nodes that left, stopped matching, were cordoned or drained: their instances go at once.
        stop.AddRange(alive.Where(i => !i.StopRequested && (NodeOf(i) is not { } node || !eligibleNames.Contains(node))));

        var byNode = alive.Where(i => NodeOf(i) is { } node && eligibleNames.Contains(node)).ToLookup(i => NodeOf(i)!, StringComparer.Ordinal);
        var createOn = new List<string>();
        var waitingForUpdate = new List<(string Node, List<TaskResource> Old)>();
        int unavailable = 0, surging = 0, ready = 0, updated = 0, settled = 0, oldNodes = 0;
        foreach (var node in eligible)
        {
            var here = byNode[node.Name].ToList();
            var live = here.Where(i => !i.StopRequested).ToList();
            var stopping = here.Count - live.Count;
            var old = live.Where(i => i.Revision != deployment.Revision).ToList();
            if (old.Count > 0) oldNodes++;
            if (live.Any(IsReady)) ready++;
            else unavailable++;

            // One current instance per node: keep the ready one (else the oldest), stop any other.
            var current = live.Where(i => i.Revision == deployment.Revision).OrderByDescending(IsReady).ThenBy(i => i.CreatedAt).ToList();
            stop.AddRange(current.Skip(1));
            if (current.FirstOrDefault() is { } kept)
            {
                updated++;
                if (IsReady(kept))
                {
                    stop.AddRange(old);
                    if (old.Count == 0 && stopping == 0) settled++;
                }
                else
                {
                    // A surge in progress: the old one serves until the new one is ready; a not-ready old one serves nobody.
                    stop.AddRange(old.Where(i => !IsReady(i)));
                    if (old.Any(IsReady)) surging++;
                }
            }
            else if (old.Count > 0) waitingForUpdate.Add((node.Name, old));
            else if (stopping == 0) createOn.Add(node.Name);
        }

        // The rolling update proper: not-ready old instances first (they cost no availability), then by node name.
        var failed = deployment.RolloutStatus == RolloutStates.Failed;
        var unavailableBudget = Math.Max(deployment.MaxUnavailable, 0) - unavailable;
        var surgeBudget = Math.Max(deployment.MaxSurge, 0) - surging;
        foreach (var (node, old) in waitingForUpdate.OrderBy(w => w.Old.Any(IsReady)))
        {
            if (!old.Any(IsReady)) stop.AddRange(old);
            else if (failed) continue;
            else if (surgeBudget > 0)
            {
                surgeBudget--;
                createOn.Add(node);
            }
            else if (unavailableBudget > 0)
            {
                unavailableBudget--;
                stop.AddRange(old);
            }
        }

        var status = deployment with
        {
            Replicas = eligible.Count,
            ReadyReplicas = ready,
            UpdatedReplicas = updated,
            AvailableReplicas = ready,
        };
        status = WithRollout(status, settled == eligible.Count && stop.Count == 0 && createOn.Count == 0, oldNodes, failed, now);
        return new DeploymentPlan
        {
            CreateOn = createOn,
            Stop = stop.DistinctBy(i => i.Name).ToList(),
            Delete = dead,
            Status = status == deployment ? null : status,
        };
    }

    /// <summary>
    /// Complete once every node runs one ready instance of the revision and nothing else. The progress deadline
    /// fails only a rollout that still has old instances to replace; a node that joins just makes it progress.
    /// </summary>
    private static DeploymentResource WithRollout(DeploymentResource status, bool complete, int oldNodes, bool failed, DateTimeOffset now)
    {
        var n = status.Replicas;
        if (complete)
            return status with { RolloutStatus = RolloutStates.Complete, RolloutMessage = $"revision {status.Revision}: {n}/{n} nodes ready" };
        if (failed) return status;
        if (oldNodes > 0 && status.RolloutStartedAt is { } started && now - started > TimeSpan.FromSeconds(status.ProgressDeadlineSeconds))
        {
            return status with
            {
                RolloutStatus = RolloutStates.Failed,
                RolloutMessage = $"revision {status.Revision}: {status.UpdatedReplicas}/{n} nodes updated after {status.ProgressDeadlineSeconds:0}s; "
                    + $"the other {oldNodes} keep the old revision",
            };
        }
        return status with
        {
            RolloutStatus = RolloutStates.Progressing,
            RolloutMessage = $"revision {status.Revision}: {status.ReadyReplicas}/{n} nodes ready, {status.UpdatedReplicas} updated, {oldNodes} old",
        };
    }

    /// <summary>The node an instance belongs to: the one it is pinned to, else (an older instance) the one it was bound to.</summary>
    private static string? NodeOf(TaskResource instance) => instance.PinnedNode ?? instance.Node;

    private static bool IsReady(TaskResource instance) => instance.Status == TaskPhase.Running && instance.Ready;
}
