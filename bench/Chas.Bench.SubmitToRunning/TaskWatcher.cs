using System.Collections.Concurrent;
using Chas.Client;
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
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private Task? _loop;

    private TaskWatcher(TimeProvider time) => _time = time;

    /// <summary>Starts watching from the current revision (listed first, so nothing after it is missed).</summary>
    public static async Task<TaskWatcher> StartAsync(ChasClient client, TimeProvider time, CancellationToken ct)
    {
        var list = await client.ListTasksAsync(ct: ct);
        var watcher = new TaskWatcher(time);
        watcher._loop = Task.Run(() => watcher.ReadAsync(client, list.Revision), CancellationToken.None); // lives until disposed
        return watcher;
    }

    /// <summary>Registers interest in a task before it is submitted, so not even an instant event is missed.</summary>
    public TaskProgress Expect(string name)
    {
        var progress = new TaskProgress();
        if (!_expected.TryAdd(name, progress)) throw new InvalidOperationException($"task '{name}' is already expected");
        return progress;
    }

    private async Task ReadAsync(ChasClient client, long since)
    {
        Exception? failure = null;
        try
        {
            await foreach (var ev in client.WatchTasksAsync(since, ct: _stop.Token))
            {
                var seenAt = _time.GetTimestamp();
                if (ev.Object is { } task && _expected.TryGetValue(task.Name, out var progress))
                    progress.Observe(ev.Type, task, seenAt);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        // A broken watch would silently turn into timeouts; fail every waiter with the reason instead.
        var error = new InvalidOperationException("the task watch ended" + (failure is null ? "" : $": {failure.Message}"), failure);
        foreach (var progress in _expected.Values) progress.Fail(error);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }
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

    internal void Fail(Exception error) => _running.TrySetException(error);
}
