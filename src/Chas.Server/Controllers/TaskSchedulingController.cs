using System.Globalization;
using Chas.Contracts;
using Chas.Scheduling;
using Chas.Server.Hosting;
using Chas.Server.Leadership;
using Chas.Server.State;
using Chas.Store;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Controllers;

/// <summary>
/// Places pending tasks and instances on nodes. Event-driven: every change the cluster cache applies
/// wakes it (coalesced, so a burst costs one pass); a timer only serves pending timeouts.
/// Binds are committed in batches, each conditional on every bound task's version (a racing stop or
/// delete wins) and on one cluster-wide allocation token that every bind commit rewrites, so two
/// schedulers can never both commit placements decided on the same state: the loser's whole commit
/// fails and it decides again on fresh state. Batches are pipelined: the next batch is placed while
/// the previous one commits, and is committed only after it, expecting the token that commit wrote —
/// so a batch whose predecessor failed never reaches the store. Runs only on the leader (see <see cref="LeaderOnlyService"/>).
/// </summary>
public sealed partial class TaskSchedulingController(
    ClusterCache cache, IObjectStore store, TaskStore tasks, Scheduler scheduler, ServerOptions options,
    EventLog events, TimeProvider time, ServerMetrics metrics, LeaderElection election, ILogger<TaskSchedulingController> logger)
    : LeaderOnlyService(election)
{
    public const string AllocationKind = "nodeallocations";
    /// <summary>The key of the one allocation token (kind <see cref="AllocationKind"/>) every bind commit writes conditionally.</summary>
    public const string AllocationToken = "cluster";
    private const int BindsPerCommit = 1000;
    private static readonly TimeSpan IdleRecheck = TimeSpan.FromSeconds(30);
    // The token's version as of this scheduler's last commit (or load): the version its next commit expects.
    private long _tokenVersion = WriteOp.MustNotExist;

    protected override ILogger Logger => logger;

    protected override async Task RunAsLeaderAsync(CancellationToken stoppingToken)
    {
        var changes = cache.Subscribe();
        try
        {
            await ScheduleAsync(changes, stoppingToken);
        }
        finally
        {
            cache.Unsubscribe(changes);
        }
    }

    private async Task ScheduleAsync(System.Threading.Channels.ChannelReader<CacheChange> changes, CancellationToken stoppingToken)
    {
        await cache.WaitForSyncAsync(stoppingToken);
        await LoadAllocationVersionsAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            while (changes.TryRead(out _)) { }
            TimeSpan nextDeadline;
            try
            {
                nextDeadline = await RunPassAsync(stoppingToken);
            }
            catch (ConflictException)
            {
                // Another writer got there first: catch up with everything committed and decide again.
                await LoadAllocationVersionsAsync(stoppingToken);
                await cache.CatchUpAsync(store.CurrentRevision, time, stoppingToken);
                continue;
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not FencedOutException)
            {
                LogPassFailed(logger, ex);
                nextDeadline = TimeSpan.FromSeconds(1);
            }
            using var deadline = new CancellationTokenSource(nextDeadline, time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, deadline.Token);
            try
            {
                await changes.WaitToReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Deadline reached: time out pending tasks on this pass.
            }
        }
    }

    private async Task LoadAllocationVersionsAsync(CancellationToken ct)
    {
        var token = await store.GetAsync(AllocationKind, AllocationToken, ct);
        _tokenVersion = token?.Version ?? WriteOp.MustNotExist;
    }

    /// <summary>One pass over everything pending; returns how long until the next pending timeout.</summary>
    internal async Task<TimeSpan> RunPassAsync(CancellationToken ct)
    {
        var pending = cache.PendingTasks().OrderBy(t => t.CreatedAt).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        if (pending.Count == 0) return IdleRecheck;
        var started = time.GetTimestamp();
        var nodes = cache.Nodes();
        // One mutable session per pass: each placement is assumed in O(1) before the next.
        var session = scheduler.StartSession(ClusterSnapshots.Build(nodes, cache.BoundTasks()));
        var services = ExposedServices(nodes);
        var now = time.GetUtcNow();
        TimeSpan nextDeadline;
        var explanations = new List<TaskResource>();
        var commits = new CommitPipeline();
        try
        {
            nextDeadline = await PlaceAllAsync(pending, session, services, now, explanations, commits, ct);
            // Our own binds must be in the cache before anything decides again (the next pass, a retry).
            if (await commits.DrainAsync() is { } lastRevision) await cache.WaitForRevisionAsync(lastRevision, ct);
        }
        finally
        {
            await commits.AbandonAsync();
        }

        // Explanations and timeouts are written one by one: a task that changed meanwhile is just skipped.
        foreach (var task in explanations)
        {
            try { await tasks.UpdateAsync(task, ct); }
            catch (ConflictException) { }
        }
        metrics.SchedulingPass(time.GetElapsedTime(started));
        return nextDeadline;
    }

    private async Task<TimeSpan> PlaceAllAsync(List<TaskResource> pending, SchedulingSession session, IReadOnlyList<ServiceInfo> services,
        DateTimeOffset now, List<TaskResource> explanations, CommitPipeline commits, CancellationToken ct)
    {
        var nextDeadline = IdleRecheck;
        var binds = new List<TaskResource>();
        foreach (var task in pending)
        {
            var request = RequestFor(task);
            var result = session.Place(request);
            if (result.Success)
            {
                binds.Add(task with
                {
                    Env = ServiceEnvironment.With(task, services),
                    Status = TaskPhase.Scheduled,
                    Node = result.Node,
                    PublishedPorts = result.Ports,
                    AssignedGpus = result.GpuIndices,
                    ScheduledAt = now,
                    Reason = null,
                });
                if (binds.Count >= BindsPerCommit)
                {
                    await commits.SubmitAsync(Batch([.. binds], ct));
                    binds.Clear();
                }
                continue;
            }

            var waited = now - task.CreatedAt;
            // A pinned instance (system deployment) waits for its node to have room, as a DaemonSet's pod does:
            // failing it would only make its controller create the same instance again.
            var timesOut = task.PinnedNode is null;
            if (timesOut && waited >= options.PendingTimeout)
            {
                explanations.Add(task with
                {
                    Status = TaskPhase.Failed,
                    Error = $"not scheduled within {Format(options.PendingTimeout)}: {result.Reason}",
                    Reason = result.Reason,
                    FinishedAt = now,
                });
                events.RecordTask(task, EventReasons.Failed, $"not scheduled within {Format(options.PendingTimeout)}: {result.Reason}", warning: true);
                continue;
            }
            var remaining = options.PendingTimeout - waited;
            if (timesOut && remaining < nextDeadline) nextDeadline = remaining;
            if (task.Reason != result.Reason)
            {
                // Only when the explanation changes: thousands of waiting tasks must not flood the event log.
                explanations.Add(task with { Reason = result.Reason });
                events.RecordTask(task, EventReasons.FailedScheduling, result.Reason ?? "no node fits", warning: true);
            }
        }
        if (binds.Count > 0) await commits.SubmitAsync(Batch([.. binds], ct));
        return nextDeadline;
    }

    /// <summary>
    /// Services of the deployments that expose a port, built from only their instances: the environment a bind
    /// injects needs nothing else, and most instances of a big cluster belong to no exposed deployment.
    /// </summary>
    private IReadOnlyList<ServiceInfo> ExposedServices(IReadOnlyList<NodeResource> nodes)
    {
        var exposed = cache.Deployments().Where(d => d.Ingress?.Port is not null || d.Template.Ports.Count > 0).ToList();
        if (exposed.Count == 0) return [];
        var instances = exposed.SelectMany(d => cache.InstancesOf(DeploymentStore.Key(d.Namespace, d.Name))).ToList();
        return ServiceCatalog.Build(exposed, instances, nodes.ToDictionary(n => n.Name, n => n.Address, StringComparer.Ordinal));
    }

    /// <summary>Serializes one batch of binds now, on the placing thread; the commit it returns adds the token when it is sent.</summary>
    private Func<Task<long>> Batch(IReadOnlyList<TaskResource> binds, CancellationToken ct)
    {
        // Stamp the time of this batch, not of the start of a long pass.
        var boundAt = time.GetUtcNow();
        var writes = new List<WriteOp>(binds.Count + 1);
        foreach (var bind in binds) writes.Add(tasks.Write(bind with { ScheduledAt = boundAt }));
        return () => CommitAsync(writes, boundAt, binds, ct);
    }

    /// <summary>Commits one prepared batch with the allocation token; runs off the placing thread so placement goes on meanwhile.</summary>
    private async Task<long> CommitAsync(List<WriteOp> writes, DateTimeOffset boundAt, IReadOnlyList<TaskResource> binds, CancellationToken ct)
    {
        writes.Add(new WriteOp(AllocationKind, AllocationToken, _tokenVersion, "{}"));
        var revision = await Task.Run(() => store.CommitAsync(writes, ct), ct);
        _tokenVersion = revision;
        foreach (var bind in binds) metrics.Bound(bind.CreatedAt, boundAt);
        foreach (var bound in binds) events.RecordTask(bound, EventReasons.Scheduled, ScheduledMessage(bound));
        LogScheduled(logger, binds.Count, binds[0].Name, binds[0].Node!);
        return revision;
    }

    private static string ScheduledMessage(TaskResource task) => task.AssignedGpus.Count == 0
        ? $"assigned to node {task.Node}"
        : $"assigned to node {task.Node} with GPUs {string.Join(',', task.AssignedGpus)}";

    public static PlacementRequest RequestFor(TaskResource task) => new()
    {
        Name = task.Name,
        Requests = task.Requests,
        Ports = task.Ports,
        Gpus = task.Gpus,
        GpuIndices = task.GpuIndices,
        NodeSelector = task.NodeSelector,
        RequiredNode = task.PinnedNode,
        Strategy = task.Strategy == PlacementStrategyName.Binpack ? PlacementStrategy.Binpack : PlacementStrategy.Spread,
        Group = task.Deployment is null ? null : $"{task.Namespace}/{task.Deployment}",
    };

    private static string Format(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Seconds == 0
            ? ((int)span.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m"
            : ((int)span.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Scheduled {Count} (first: {Task} on node {Node})")]
    private static partial void LogScheduled(ILogger logger, int count, string task, string node);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Scheduling pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
