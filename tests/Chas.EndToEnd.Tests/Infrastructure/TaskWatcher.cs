using Chas.Client;
using Chas.Client.Informers;
using Chas.Contracts;

namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Every task of a server as its watch stream reports them, change by change: to wait for a state the
/// moment it is reached (no polling interval in the way of a measurement), and to check something held
/// in every state in between (observers see each one). The product's own informer keeps the view, so a
/// broken stream is followed by a new list: nothing is missed, only merged.
/// </summary>
public sealed class TaskWatcher : IAsyncDisposable
{
    private readonly Informer<TaskResource> _informer;
    private readonly Lock _lock = new();
    private readonly List<Action<IReadOnlyList<TaskResource>>> _observers = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private InformerInterruption? _lastInterruption;

    private TaskWatcher(ChasClient client)
    {
        _informer = new Informer<TaskResource>(TaskSource.For(client));
        _informer.Changed += Changed;
        _informer.Interrupted += interruption => _lastInterruption = interruption;
    }

    /// <summary>Lists the tasks, then follows their changes; the view is complete when this returns.</summary>
    public static async Task<TaskWatcher> StartAsync(ChasClient client)
    {
        var watcher = new TaskWatcher(client);
        watcher._informer.Start();
        await watcher._informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return watcher;
    }

    /// <summary>The tasks as last reported.</summary>
    public IReadOnlyList<TaskResource> Current() => _informer.List();

    /// <summary>
    /// Calls <paramref name="observe"/> with the current tasks now and after every change, in order, one
    /// call at a time (on the informer's thread: keep it short, and lock what it shares with the test).
    /// </summary>
    public void Observe(Action<IReadOnlyList<TaskResource>> observe)
    {
        lock (_lock)
        {
            _observers.Add(observe);
            observe(_informer.List());
        }
    }

    /// <summary>Waits until the tasks satisfy <paramref name="until"/>, and returns them as they were then.</summary>
    public async Task<IReadOnlyList<TaskResource>> WaitAsync(Func<IReadOnlyList<TaskResource>, bool> until, TimeSpan deadline, string what,
        Func<string>? diagnostics = null)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (true)
        {
            Task changed;
            lock (_lock) changed = _changed.Task;
            var tasks = _informer.List();
            if (until(tasks)) return tasks;
            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                var message = $"timed out after {deadline.TotalSeconds:0.#} s waiting for: {what}\nlast tasks:\n  "
                    + string.Join("\n  ", tasks.Select(Describe));
                if (_lastInterruption is { } broken) message += $"\nlast watch interruption: {broken.Reason}";
                if (diagnostics is not null) message += $"\n{diagnostics()}";
                throw new TimeoutException(message);
            }
        }
    }

    /// <summary>One line per task, for failure messages.</summary>
    public static string Describe(TaskResource t) =>
        $"{t.Name} {t.Status.ToWire()} node={t.Node ?? "-"} ready={t.Ready} stopRequested={t.StopRequested} revision={t.Revision?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} "
        + $"restarts={t.RestartCount} reason={t.Reason ?? "-"} error={t.Error ?? "-"}";

    /// <summary>On the informer's loop, after each list and each change: tell the observers and wake the waiters.</summary>
    private void Changed()
    {
        lock (_lock)
        {
            IReadOnlyList<TaskResource> snapshot = _informer.List();
            foreach (var observe in _observers) observe(snapshot);
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.SetResult();
        }
    }

    public ValueTask DisposeAsync() => _informer.DisposeAsync();
}
