using Chas.Contracts;

namespace Chas.Server.Controllers;

/// <summary>What one reconcile of a deployment should do. Computed, never executed, by <see cref="DeploymentPlanner"/>.</summary>
public sealed record DeploymentPlan
{
    /// <summary>New instances of the deployment's current revision to create.</summary>
    public int Create { get; init; }
    /// <summary>System deployments: the nodes to create one instance of the current revision on, pinned there.</summary>
    public IReadOnlyList<string> CreateOn { get; init; } = [];
    /// <summary>Live instances to ask to stop (scale-down, replaced revision, drained node).</summary>
    public IReadOnlyList<TaskResource> Stop { get; init; } = [];
    /// <summary>Ended instances to forget (their containers are removed by their agents).</summary>
    public IReadOnlyList<TaskResource> Delete { get; init; } = [];
    /// <summary>The deployment with its observed counts and rollout state; null when unchanged.</summary>
    public DeploymentResource? Status { get; init; }
}

/// <summary>
/// The rolling-update arithmetic, pure: from a deployment, its instances and the draining nodes,
/// decide what to create, stop and delete. New before old: with max-unavailable 0 an old instance
/// is only stopped once enough new ones are ready.
/// </summary>
public static class DeploymentPlanner
{
    public static DeploymentPlan Plan(DeploymentResource deployment, IReadOnlyList<TaskResource> instances,
        IReadOnlySet<string> drainingNodes, DateTimeOffset now)
    {
        var dead = instances.Where(i => i.Status.IsTerminal()).ToList();
        var live = instances.Where(i => !i.Status.IsTerminal() && !i.StopRequested).ToList();
        bool Outdated(TaskResource i) => i.Revision != deployment.Revision || (i.Node is not null && drainingNodes.Contains(i.Node));
        var current = live.Where(i => !Outdated(i)).ToList();
        var old = live.Where(Outdated).ToList();
        static bool IsReady(TaskResource i) => i.Status == TaskPhase.Running && i.Ready;

        var n = deployment.Replicas;
        var readyTotal = live.Count(IsReady);
        var readyCurrent = current.Count(IsReady);
        var failed = deployment.RolloutStatus == RolloutStates.Failed;

        // Create: up to n current instances, within n + maxSurge live ones while old ones remain.
        var ceiling = old.Count > 0 ? n + Math.Max(deployment.MaxSurge, 0) : n;
        // A failed rollout makes no further new instances; with maxSurge 0 an old instance must go first
        // (allowed by maxUnavailable below) before a new one fits under the ceiling.
        var create = failed && old.Count > 0 ? 0 : Math.Max(0, Math.Min(n - current.Count, ceiling - live.Count));

        var stop = new List<TaskResource>();
        // Extra current instances (scale-down): the not-ready ones first, then the newest.
        if (current.Count > n)
            stop.AddRange(current.OrderBy(IsReady).ThenByDescending(i => i.CreatedAt).Take(current.Count - n));

        // Old instances (replaced revision, draining node): not-ready ones serve nobody and go at once;
        // ready ones only while enough others stay ready (n - maxUnavailable). With a failed rollout the
        // new ones are not ready, so this keeps the old ones serving by itself.
        var minReady = Math.Max(0, n - Math.Max(deployment.MaxUnavailable, 0));
        var budget = readyTotal - minReady;
        foreach (var instance in old.OrderBy(IsReady).ThenBy(i => i.CreatedAt))
        {
            if (IsReady(instance))
            {
                if (budget <= 0) break;
                budget--;
            }
            stop.Add(instance);
        }

        var updatedCurrent = current.Count - stop.Count(s => !Outdated(s));
        var rollout = deployment.RolloutStatus;
        string? message = deployment.RolloutMessage;
        if (old.Count == 0 && current.Count == n && readyCurrent == n && stop.Count == 0)
        {
            rollout = RolloutStates.Complete;
            message = $"revision {deployment.Revision}: {n}/{n} ready";
        }
        else if (!failed && deployment.RolloutStartedAt is { } started
                 && now - started > TimeSpan.FromSeconds(deployment.ProgressDeadlineSeconds)
                 && readyCurrent < Math.Min(n, current.Count + create))
        {
            rollout = RolloutStates.Failed;
            message = $"revision {deployment.Revision}: {readyCurrent}/{n} new instances ready after {deployment.ProgressDeadlineSeconds:0}s; old instances keep serving";
            create = old.Count > 0 ? 0 : create;
        }
        else if (!failed)
        {
            rollout = RolloutStates.Progressing;
            message = $"revision {deployment.Revision}: {readyCurrent}/{n} ready, {old.Count} old";
        }

        var status = deployment with
        {
            ReadyReplicas = readyTotal,
            UpdatedReplicas = Math.Max(0, updatedCurrent),
            AvailableReplicas = readyTotal,
            RolloutStatus = rollout,
            RolloutMessage = message,
        };
        return new DeploymentPlan
        {
            Create = create,
            Stop = stop,
            Delete = dead,
            Status = status == deployment ? null : status,
        };
    }
}
