using System.Threading.Channels;
using Chas.Contracts;
using Chas.Scheduling;
using Chas.Server.Hosting;
using Chas.Server.State;
using Chas.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Controllers;

/// <summary>
/// Places pending tasks on nodes. Event-driven: every change of a task or node wakes it through the
/// store's watch (coalesced, so a burst of changes costs one pass), and a timer wakes it only for
/// the next pending-timeout deadline. Binds are conditional writes on the task's version, so a
/// racing stop or delete wins and the bind is simply retried on the next pass.
/// </summary>
public sealed partial class TaskSchedulingController(
    IObjectStore store, TaskStore tasks, NodeStore nodes, Scheduler scheduler, ServerOptions options,
    TimeProvider time, ILogger<TaskSchedulingController> logger) : BackgroundService
{
    private static readonly TimeSpan IdleRecheck = TimeSpan.FromSeconds(30);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = Task.Run(() => WatchForChangesAsync(stoppingToken), stoppingToken);
        _wake.Writer.TryWrite(true);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan nextDeadline;
            try
            {
                nextDeadline = await RunPassAsync(stoppingToken);
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
                await _wake.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Deadline reached: time out pending tasks on this pass.
            }
        }
    }

    private async Task WatchForChangesAsync(CancellationToken ct)
    {
        var kinds = new HashSet<string> { TaskStore.KindName, NodeStore.KindName };
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var _ in store.WatchAsync(kinds, store.CurrentRevision, ct))
                    _wake.Writer.TryWrite(true);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Overflowed or history gone: a full pass re-reads everything anyway.
                LogWatchRestart(logger, ex.Message);
                _wake.Writer.TryWrite(true);
            }
            // The stream ended (store closing, or an error): pause so a dead store cannot make this spin.
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>One pass over all pending tasks; returns how long until the next pending timeout.</summary>
    internal async Task<TimeSpan> RunPassAsync(CancellationToken ct)
    {
        var (allTasks, _) = await tasks.ListAsync(ct);
        var pending = allTasks.Where(t => t.Status == TaskPhase.Pending && !t.StopRequested)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        if (pending.Count == 0) return IdleRecheck;

        var (allNodes, _) = await nodes.ListAsync(ct);
        var cluster = ClusterSnapshots.Build(allNodes, allTasks);
        var now = time.GetUtcNow();
        var nextDeadline = IdleRecheck;

        foreach (var task in pending)
        {
            var request = new PlacementRequest { Name = task.Name, Requests = task.Requests, Ports = task.Ports };
            var result = scheduler.Place(cluster, request);
            if (result.Success)
            {
                var bound = task with
                {
                    Status = TaskPhase.Scheduled,
                    Node = result.Node,
                    PublishedPorts = result.Ports,
                    ScheduledAt = now,
                    Reason = null,
                };
                if (await TryWriteAsync(bound, ct))
                {
                    cluster = scheduler.Assume(cluster, result.Node!, request, result.Ports);
                    LogScheduled(logger, task.Name, result.Node!);
                }
                continue;
            }

            var waited = now - task.CreatedAt;
            if (waited >= options.PendingTimeout)
            {
                await TryWriteAsync(task with
                {
                    Status = TaskPhase.Failed,
                    Error = $"not scheduled within {Format(options.PendingTimeout)}: {result.Reason}",
                    Reason = result.Reason,
                    FinishedAt = now,
                }, ct);
                continue;
            }
            var remaining = options.PendingTimeout - waited;
            if (remaining < nextDeadline) nextDeadline = remaining;
            if (task.Reason != result.Reason) await TryWriteAsync(task with { Reason = result.Reason }, ct);
        }
        return nextDeadline;
    }

    private async Task<bool> TryWriteAsync(TaskResource task, CancellationToken ct)
    {
        try
        {
            await tasks.UpdateAsync(task, ct);
            return true;
        }
        catch (ConflictException)
        {
            // The task changed (stopped, deleted) since we read it; the change wakes another pass.
            return false;
        }
    }

    private static string Format(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{(int)span.TotalMinutes}m" : $"{(int)span.TotalSeconds}s";

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Scheduled task {Task} on node {Node}")]
    private static partial void LogScheduled(ILogger logger, string task, string node);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Scheduling pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Restarting the scheduler's watch: {Reason}")]
    private static partial void LogWatchRestart(ILogger logger, string reason);
}
