using Chas.Client;
using Chas.Contracts;

namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Every task of a server as its watch stream reports them, change by change: to wait for a state the
/// moment it is reached (no polling interval in the way of a measurement), and to check something held
/// in every state in between (observers see each one). A broken stream is followed by a new list, so
/// nothing is missed, only merged.
/// </summary>
public sealed class TaskWatcher : IAsyncDisposable
{
    private readonly ChasClient _client;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TaskResource> _tasks = new(StringComparer.Ordinal);
    private readonly List<Action<IReadOnlyList<TaskResource>>> _observers = [];
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private Exception? _lastError;

    private TaskWatcher(ChasClient client) => _client = client;

    /// <summary>Lists the tasks, then follows their changes; the view is complete when this returns.</summary>
    public static async Task<TaskWatcher> StartAsync(ChasClient client)
    {
        var watcher = new TaskWatcher(client);
        var list = await client.ListTasksAsync();
        watcher.Replace(list.Items);
        watcher._loop = Task.Run(() => watcher.FollowAsync(list.Revision, watcher._stop.Token));
        return watcher;
    }

    /// <summary>The tasks as last reported.</summary>
    public IReadOnlyList<TaskResource> Current()
    {
        lock (_lock) return [.. _tasks.Values];
    }

    /// <summary>
    /// Calls <paramref name="observe"/> with the current tasks now and after every change, in order, one
    /// call at a time (on the watcher's thread: keep it short, and lock what it shares with the test).
    /// </summary>
    public void Observe(Action<IReadOnlyList<TaskResource>> observe)
    {
        lock (_lock)
        {
            _observers.Add(observe);
            observe([.. _tasks.Values]);
        }
    }

    /// <summary>Waits until the tasks satisfy <paramref name="until"/>, and returns them as they were then.</summary>
    public async Task<IReadOnlyList<TaskResource>> WaitAsync(Func<IReadOnlyList<TaskResource>, bool> until, TimeSpan deadline, string what,
        Func<string>? diagnostics = null)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (true)
        {
            IReadOnlyList<TaskResource> tasks;
            Task changed;
            lock (_lock)
            {
                tasks = [.. _tasks.Values];
                changed = _changed.Task;
            }
            if (until(tasks)) return tasks;
            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                var message = $"timed out after {deadline.TotalSeconds:0.#} s waiting for: {what}\nlast tasks:\n  "
                    + string.Join("\n  ", tasks.Select(Describe));
                if (_lastError is not null) message += $"\nlast watch error: {_lastError.GetType().Name}: {_lastError.Message}";
                if (diagnostics is not null) message += $"\n{diagnostics()}";
                throw new TimeoutException(message);
            }
        }
    }

    /// <summary>One line per task, for failure messages.</summary>
    public static string Describe(TaskResource t) =>
        $"{t.Name} {t.Status.ToWire()} node={t.Node ?? "-"} ready={t.Ready} stopRequested={t.StopRequested} revision={t.Revision?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} "
        + $"restarts={t.RestartCount} reason={t.Reason ?? "-"} error={t.Error ?? "-"}";

    private async Task FollowAsync(long revision, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var ev in _client.WatchTasksAsync(revision, ct: ct))
                {
                    revision = Math.Max(revision, ev.Revision);
                    if (ev.Object is { } task && ev.Type != WatchEventTypes.Bookmark) Apply(ev.Type, task);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A broken stream, a 410 Gone, an error event: list again below.
                _lastError = ex;
            }
            try
            {
                var list = await _client.ListTasksAsync(ct: ct);
                Replace(list.Items);
                revision = list.Revision;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The server does not answer (stopped, or restarting): try again shortly rather than spin.
                _lastError = ex;
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private static string Key(TaskResource task) => $"{task.Namespace}/{task.Name}";

    private void Apply(string type, TaskResource task)
    {
        lock (_lock)
        {
            if (type == WatchEventTypes.Deleted) _tasks.Remove(Key(task));
            else _tasks[Key(task)] = task;
            Changed();
        }
    }

    private void Replace(IEnumerable<TaskResource> tasks)
    {
        lock (_lock)
        {
            _tasks.Clear();
            foreach (var task in tasks) _tasks[Key(task)] = task;
            Changed();
        }
    }

    /// <summary>Under the lock: tell the observers and wake the waiters.</summary>
    private void Changed()
    {
        IReadOnlyList<TaskResource> snapshot = [.. _tasks.Values];
        foreach (var observe in _observers) observe(snapshot);
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }
}
