using System.Globalization;
using Chas.Contracts;
using Chas.Scheduling;
using Chas.Server.Hosting;
using Chas.Server.State;
using Chas.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Controllers;

/// <summary>
/// Places pending tasks and instances on nodes. Event-driven: every change the cluster cache applies
/// wakes it (coalesced, so a burst costs one pass); a timer only serves pending timeouts.
/// Binds of one pass are committed together with a conditional write of a per-node allocation
/// token for every node they touch, so two schedulers (or a racing stop) can never overcommit a
/// node: the loser's whole commit fails and it decides again on fresh state.
/// </summary>
public sealed partial class TaskSchedulingController(
    ClusterCache cache, IObjectStore store, TaskStore tasks, Scheduler scheduler, ServerOptions options,
    EventLog events, TimeProvider time, ServerMetrics metrics, ILogger<TaskSchedulingController> logger) : BackgroundService
{
    public const string AllocationKind = "nodeallocations";
    private const int BindsPerCommit = 1000;
    private static readonly TimeSpan IdleRecheck = TimeSpan.FromSeconds(30);
    private readonly Dictionary<string, long> _allocationVersions = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var changes = cache.Subscribe();
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
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPassFailed(logger, ex);
                nextDeadline = TimeSpan.FromSeconds(1);
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(nextDeadline);
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
        var list = await store.ListAsync(AllocationKind, ct);
        _allocationVersions.Clear();
        foreach (var item in list.Items) _allocationVersions[item.Key] = item.Version;
    }

    /// <summary>One pass over everything pending; returns how long until the next pending timeout.</summary>
    internal async Task<TimeSpan> RunPassAsync(CancellationToken ct)
    {
        var pending = cache.PendingTasks().OrderBy(t => t.CreatedAt).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        if (pending.Count == 0) return IdleRecheck;
        var started = time.GetTimestamp();
        var allTasks = cache.Tasks();

        var nodes = cache.Nodes();
        // One mutable session per pass: each placement is assumed in O(1) before the next.
        var session = scheduler.StartSession(ClusterSnapshots.Build(nodes, allTasks));
        var services = ServiceCatalog.Build(cache.Deployments(), allTasks, nodes.ToDictionary(n => n.Name, n => n.Address, StringComparer.Ordinal));
        var now = time.GetUtcNow();
        var nextDeadline = IdleRecheck;
        var binds = new List<TaskResource>();
        var explanations = new List<TaskResource>();

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
                    await CommitBindsAsync(binds, ct);
                    binds.Clear();
                }
                continue;
            }

            var waited = now - task.CreatedAt;
            if (waited >= options.PendingTimeout)
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
            if (remaining < nextDeadline) nextDeadline = remaining;
            if (task.Reason != result.Reason)
            {
                // Only when the explanation changes: thousands of waiting tasks must not flood the event log.
                explanations.Add(task with { Reason = result.Reason });
                events.RecordTask(task, EventReasons.FailedScheduling, result.Reason ?? "no node fits", warning: true);
            }
        }
        if (binds.Count > 0) await CommitBindsAsync(binds, ct);

        // Explanations and timeouts are written one by one: a task that changed meanwhile is just skipped.
        foreach (var task in explanations)
        {
            try { await tasks.UpdateAsync(task, ct); }
            catch (ConflictException) { }
        }
        metrics.SchedulingPass(time.GetElapsedTime(started));
        return nextDeadline;
    }

    private async Task CommitBindsAsync(List<TaskResource> binds, CancellationToken ct)
    {
        // Stamp the time of this batch's commit, not of the start of a long pass.
        var boundAt = time.GetUtcNow();
        var writes = binds.Select(b => tasks.Write(b with { ScheduledAt = boundAt })).ToList();
        foreach (var node in binds.Select(b => b.Node!).Distinct(StringComparer.Ordinal))
        {
            var expected = _allocationVersions.GetValueOrDefault(node, WriteOp.MustNotExist);
            writes.Add(new WriteOp(AllocationKind, node, expected, "{}"));
        }
        var revision = await store.CommitAsync(writes, ct);
        foreach (var node in binds.Select(b => b.Node!)) _allocationVersions[node] = revision;
        foreach (var bind in binds) metrics.Bound(bind.CreatedAt, boundAt);
        foreach (var bound in binds) events.RecordTask(bound, EventReasons.Scheduled, ScheduledMessage(bound));
        LogScheduled(logger, binds.Count, binds[0].Name, binds[0].Node!);
        await cache.WaitForRevisionAsync(revision, ct);
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
