using System.Collections.Concurrent;
using Chas.Client;
using Chas.Client.Informers;
using Chas.Contracts;

namespace Chas.Bench.SubmitToRunning;

/// <summary>
/// One watch on all tasks for the whole run, as a user's `chas ps --watch` or a dashboard would hold it. It
/// stamps the moment each expected task is first seen running on the reading loop itself, before any waiter's
/// continuation runs, so the scheduling of the waiting code is not measured.
/// </summary>
internal sealed class TaskWatcher : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TaskProgress> _expected = new(StringComparer.Ordinal);
    private readonly Informer<TaskResource> _informer;
    private readonly TimeProvider _time;

    private TaskWatcher(ChasClient client, TimeProvider time)
    {
        _time = time;
        _informer = new Informer<TaskResource>(TaskSource.For(client), new InformerOptions { Time = time });
        // Handlers run on the informer's reading loop, one change at a time: the stamp is taken there.
        _informer.AddHandler(new InformerHandler<TaskResource>
        {
            Added = (task, _) => Seen(WatchEventTypes.Added, task),
            Updated = (_, task, _) => Seen(WatchEventTypes.Modified, task),
            Deleted = (task, _) => Seen(WatchEventTypes.Deleted, task),
        });
    }

    /// <summary>Starts watching from the current revision (listed first, so nothing after it is missed).</summary>
    public static async Task<TaskWatcher> StartAsync(ChasClient client, TimeProvider time, CancellationToken ct)
    {
        var watcher = new TaskWatcher(client, time);
        watcher._informer.Start(CancellationToken.None); // lives until disposed, not until the start call's token
        await watcher._informer.WaitForSyncAsync(ct);
        return watcher;
    }

    /// <summary>Registers interest in a task before it is submitted, so not even an instant event is missed.</summary>
    public TaskProgress Expect(string name)
    {
        var progress = new TaskProgress();
        if (!_expected.TryAdd(name, progress)) throw new InvalidOperationException($"task '{name}' is already expected");
        return progress;
    }

    private ValueTask Seen(string type, TaskResource task)
    {
        var seenAt = _time.GetTimestamp();
        if (_expected.TryGetValue(task.Name, out var progress)) progress.Observe(type, task, seenAt);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _informer.DisposeAsync();
}

/// <summary>What the watcher saw of one task, stamped with <see cref="TimeProvider.GetTimestamp"/> values.</summary>
internal sealed class TaskProgress
{
    private readonly TaskCompletionSource<TaskResource> _running = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long? RunningSeenAt { get; private set; }

    /// <summary>Completes with the task as first seen running; fails if it ends, or is deleted, before it runs.</summary>
    public Task<TaskResource> Running => _running.Task;

    internal void Observe(string type, TaskResource task, long seenAt)
    {
        if (type == WatchEventTypes.Deleted)
        {
            _running.TrySetException(new InvalidOperationException($"task '{task.Name}' was deleted before it ran"));
            return;
        }
        if (task.Status == TaskPhase.Running && RunningSeenAt is null)
        {
            RunningSeenAt = seenAt;
            _running.TrySetResult(task);
        }
        else if (task.Status.IsTerminal())
        {
            _running.TrySetException(new InvalidOperationException(
                $"task '{task.Name}' ended as {task.Status.ToWire()} before it was seen running: {task.Error ?? task.Reason}"));
        }
    }
}
