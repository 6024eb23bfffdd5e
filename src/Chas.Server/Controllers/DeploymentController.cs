using System.Security.Cryptography;
using Chas.Contracts;
using Chas.Server.Leadership;
using Chas.Server.State;
using Chas.Server.Tenancy;
using Chas.Store;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Controllers;

/// <summary>
/// Keeps each deployment's instances at its replica count and revision: watch (through the cache)
/// → de-duplicated keys → idempotent reconcile, one atomic commit per reconcile. A timer re-checks
/// rollouts in progress so a progress deadline is noticed without any event. Runs only on the leader
/// (see <see cref="LeaderOnlyService"/>).
/// </summary>
public sealed partial class DeploymentController(
    ClusterCache cache, IObjectStore store, TaskStore tasks, DeploymentStore deployments, TimeProvider time,
    EventLog events, LeaderElection election, ILogger<DeploymentController> logger) : LeaderOnlyService(election)
{
    private static readonly TimeSpan RolloutRecheck = TimeSpan.FromSeconds(1);

    protected override ILogger Logger => logger;

    protected override async Task RunAsLeaderAsync(CancellationToken stoppingToken)
    {
        var changes = cache.Subscribe();
        try
        {
            await ReconcileLoopAsync(changes, stoppingToken);
        }
        finally
        {
            cache.Unsubscribe(changes);
        }
    }

    private async Task ReconcileLoopAsync(System.Threading.Channels.ChannelReader<CacheChange> changes, CancellationToken stoppingToken)
    {
        await cache.WaitForSyncAsync(stoppingToken);
        var dirty = new HashSet<string>(StringComparer.Ordinal);
        MarkAll(dirty);
        var nextRecheck = time.GetUtcNow() + RolloutRecheck;
        while (!stoppingToken.IsCancellationRequested)
        {
            while (changes.TryRead(out var change))
            {
                if (change.Kind is "*" or NodeStore.KindName) MarkAll(dirty);
                else if (change.DeploymentKey is not null) dirty.Add(change.DeploymentKey);
            }
            if (time.GetUtcNow() >= nextRecheck)
            {
                foreach (var d in cache.Deployments().Where(d => d.RolloutStatus == RolloutStates.Progressing))
                    dirty.Add(DeploymentStore.Key(d.Namespace, d.Name));
                nextRecheck = time.GetUtcNow() + RolloutRecheck;
            }
            if (dirty.Count == 0)
            {
                using var recheck = new CancellationTokenSource(RolloutRecheck, time);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, recheck.Token);
                try { await changes.WaitToReadAsync(wait.Token); }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
                continue;
            }
            var batch = dirty.ToList();
            dirty.Clear();
            foreach (var key in batch)
            {
                try
                {
                    await ReconcileAsync(key, stoppingToken);
                }
                catch (ConflictException)
                {
                    // Someone wrote first (an agent report, a user): catch up and decide again.
                    await cache.CatchUpAsync(store.CurrentRevision, time, stoppingToken);
                    dirty.Add(key);
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not FencedOutException)
                {
                    LogReconcileFailed(logger, key, ex);
                }
            }
        }
    }

    private void MarkAll(HashSet<string> dirty)
    {
        foreach (var d in cache.Deployments()) dirty.Add(DeploymentStore.Key(d.Namespace, d.Name));
        foreach (var t in cache.Tasks().Where(t => t.Deployment is not null)) dirty.Add(DeploymentStore.Key(t.Namespace, t.Deployment!));
    }

    internal async Task ReconcileAsync(string key, CancellationToken ct)
    {
        var deployment = cache.Deployment(key);
        var instances = cache.InstancesOf(key);
        var now = time.GetUtcNow();
        var writes = new List<WriteOp>();
        var happened = new List<(string Reason, string Message, bool Warning)>();
        if (deployment is null)
        {
            // Deleted: its instances stop like any scale-down (out of the ingress first, drained, then
            // SIGTERM) and are forgotten once ended; their agents then remove the containers.
            foreach (var instance in instances)
            {
                if (instance.Status.IsTerminal())
                    writes.Add(WriteOp.Delete(tasks.Kind, TaskStore.Key(instance.Namespace, instance.Name), instance.ResourceVersion));
                else if (!instance.StopRequested)
                    writes.Add(tasks.Write(instance.Status == TaskPhase.Pending ? TaskTransitions.StopUnstarted(instance, now) : instance with { StopRequested = true }));
            }
        }
        else if (!Approvals.Cleared(deployment.Approval))
        {
            // Held for an operator's decision (or rejected): neither the new revision nor a scale
            // starts anything; what already runs keeps running.
        }
        else
        {
            var plan = deployment.Mode == DeploymentMode.System
                ? SystemDeploymentPlanner.Plan(deployment, instances, cache.Nodes(), now)
                : DeploymentPlanner.Plan(deployment, instances, cache.Nodes().Where(n => n.Draining).Select(n => n.Name).ToHashSet(StringComparer.Ordinal), now);
            var taken = instances.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            // Unpinned instances for a replicated deployment, one pinned to each node for a system one.
            foreach (var node in Enumerable.Repeat<string?>(null, plan.Create).Concat(plan.CreateOn))
            {
                // Random names can collide; one collision would fail the whole commit, so draw again.
                TaskResource instance;
                do instance = NewInstance(deployment, now) with { PinnedNode = node };
                while (!taken.Add(instance.Name));
                writes.Add(WriteOp.Create(tasks.Kind, TaskStore.Key(instance.Namespace, instance.Name), tasks.Serialize(instance)));
            }
            foreach (var instance in plan.Stop)
            {
                var stopped = instance.Status == TaskPhase.Pending ? TaskTransitions.StopUnstarted(instance, now) : instance with { StopRequested = true };
                writes.Add(tasks.Write(stopped));
            }
            writes.AddRange(plan.Delete.Select(i => WriteOp.Delete(tasks.Kind, TaskStore.Key(i.Namespace, i.Name), i.ResourceVersion)));
            if (plan.Status is { } status) writes.Add(deployments.Write(status));
            if (plan.Create > 0) happened.Add((EventReasons.ScaledUp, $"created {plan.Create} instance(s) of revision {deployment.Revision}", false));
            if (plan.CreateOn.Count > 0)
                happened.Add((EventReasons.ScaledUp, $"created instance(s) of revision {deployment.Revision} on node(s) {string.Join(", ", plan.CreateOn)}", false));
            if (plan.Stop.Count > 0) happened.Add((EventReasons.ScaledDown, $"stopping {plan.Stop.Count} instance(s)", false));
            if (plan.Status?.RolloutStatus is { } rollout && rollout != deployment.RolloutStatus)
            {
                if (rollout == RolloutStates.Complete) happened.Add((EventReasons.RolloutComplete, plan.Status.RolloutMessage ?? $"revision {deployment.Revision} rolled out", false));
                if (rollout == RolloutStates.Failed) happened.Add((EventReasons.RolloutFailed, plan.Status.RolloutMessage ?? $"revision {deployment.Revision} failed to roll out", true));
            }
            if (plan.Create > 0 || plan.CreateOn.Count > 0 || plan.Stop.Count > 0)
                LogPlan(logger, key, deployment.Revision, plan.Create + plan.CreateOn.Count, plan.Stop.Count, plan.Delete.Count);
        }
        if (writes.Count == 0) return;
        var revision = await store.CommitAsync(writes, ct);
        foreach (var (reason, message, warning) in happened) events.RecordDeployment(deployment!, reason, message, warning);
        // Never decide again on a cache that has not yet seen our own writes.
        await cache.WaitForRevisionAsync(revision, ct);
    }

    /// <summary>An instance of the deployment's current revision, named &lt;deployment&gt;-&lt;revision&gt;-&lt;5 random&gt;.</summary>
    public static TaskResource NewInstance(DeploymentResource deployment, DateTimeOffset now)
    {
        var prefix = deployment.Name.Length > 48 ? deployment.Name[..48].TrimEnd('-') : deployment.Name;
        var template = deployment.Template;
        return new TaskResource
        {
            Name = $"{prefix}-{deployment.Revision}-{RandomSuffix()}",
            Namespace = deployment.Namespace,
            Uid = Guid.NewGuid().ToString("N"),
            Image = template.Image,
            Command = template.Command,
            Env = template.Env,
            CpuMillis = template.CpuMillis,
            MemoryBytes = template.MemoryBytes,
            Gpus = template.Gpus,
            Ports = template.Ports,
            NodeSelector = template.NodeSelector,
            Strategy = template.Strategy,
            Liveness = template.Liveness,
            Readiness = template.Readiness ?? DefaultReadiness(template),
            Privileged = template.Privileged,
            ReadOnlyRootFilesystem = template.ReadOnlyRootFilesystem,
            RestartPolicy = RestartPolicy.Always,
            Deployment = deployment.Name,
            Revision = deployment.Revision,
            Status = TaskPhase.Pending,
            Reason = "waiting for the scheduler",
            CreatedAt = now,
        };
    }

    /// <summary>
    /// An exposed port without a declared readiness probe gets a TCP check on it, so no instance
    /// receives traffic (or counts as ready in a rollout) before it accepts connections.
    /// </summary>
    public static ProbeSpec? DefaultReadiness(WorkloadTemplate template) =>
        template.Ports.FirstOrDefault(p => p.Protocol == "tcp") is { } port
            ? new ProbeSpec { Type = ProbeType.Tcp, Port = port.ContainerPort, PeriodSeconds = 1, TimeoutSeconds = 1, FailureThreshold = 3 }
            : null;

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Deployment {Deployment} revision {Revision}: create {Create}, stop {Stop}, forget {Delete}")]
    private static partial void LogPlan(ILogger logger, string deployment, int revision, int create, int stop, int delete);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Error, Message = "Reconciling deployment {Deployment} failed")]
    private static partial void LogReconcileFailed(ILogger logger, string deployment, Exception exception);
}
