using System.Diagnostics;
using Chas.Client;
using Chas.Client.Informers;
using Chas.Contracts;

namespace Chas.Bench.Scheduler;

/// <summary>
/// ONE watch of all tasks for the whole run (the product's informer), keeping the latest state of every task and
/// stamping (in its handlers, on the reading loop itself) the moment each one is first seen bound to a node. A
/// watch the server drops (the reader fell behind) resumes from the last revision seen, or lists again when that
/// is too old; both are counted.
/// </summary>
internal sealed class TaskTracker : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, TaskResource> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _firstBoundAt = new(StringComparer.Ordinal);
    private readonly List<TaskResource> _lost = [];
    // Counted as events arrive, so that a waiter's condition costs O(1) however many tasks there are.
    private readonly Dictionary<string, int> _readyByNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _liveByNode = new(StringComparer.Ordinal);
    private readonly List<(Func<TaskTracker, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private readonly Informer<TaskResource> _informer;

    private TaskTracker(ChasClient client)
    {
        _informer = new Informer<TaskResource>(TaskSource.For(client), new InformerOptions { ResumeAfterBreak = true });
        _informer.AddHandler(new InformerHandler<TaskResource>
        {
            DeliverListDifferences = false,
            Synced = (sync, _) => Replace(sync),
            Added = (task, _) => Apply(task, deleted: false),
            Updated = (_, task, _) => Apply(task, deleted: false),
            Deleted = (task, _) => Apply(task, deleted: true),
        });
        // A 410 is followed by a list (counted there); any other break by a watch from the last revision.
        _informer.Interrupted += interruption =>
        {
            if (interruption.Kind != InterruptionKind.RevisionGone) lock (_lock) Resumes++;
        };
    }

    /// <summary>Tasks whose latest state holds resources on a node (scheduled, starting, running or stopping).</summary>
    public int Bound { get; private set; }
    /// <summary>Tasks whose latest state is running and ready (and not asked to stop).</summary>
    public int Ready { get; private set; }

    /// <summary>Running and ready tasks on one node.</summary>
    public int ReadyOn(string node)
    {
        lock (_lock) return _readyByNode.GetValueOrDefault(node);
    }

    /// <summary>Tasks on one node that have not ended.</summary>
    public int LiveOn(string node)
    {
        lock (_lock) return _liveByNode.GetValueOrDefault(node);
    }

    /// <summary>Tasks as the watch saw them lost with their node (kept after the controller deletes them).</summary>
    public IReadOnlyList<TaskResource> Lost
    {
        get { lock (_lock) return [.. _lost]; }
    }

    public int Events { get; private set; }
    public int Resumes { get; private set; }
    public int Relists { get; private set; }

    public static async Task<TaskTracker> StartAsync(ChasClient client, CancellationToken ct)
    {
        var tracker = new TaskTracker(client);
        tracker._informer.Start(CancellationToken.None); // lives until disposed
        await tracker._informer.WaitForSyncAsync(ct);
        return tracker;
    }

    /// <summary>Completes once <paramref name="condition"/> holds; it is checked under the tracker's lock after every event.</summary>
    public Task WaitUntilAsync(Func<TaskTracker, bool> condition, CancellationToken ct)
    {
        lock (_lock)
        {
            if (condition(this)) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, done));
            return done.Task.WaitAsync(ct);
        }
    }

    /// <summary>The latest state of every task seen (call from a condition, or after the watch has settled).</summary>
    public IReadOnlyCollection<TaskResource> Tasks
    {
        get { lock (_lock) return [.. _tasks.Values]; }
    }

    public int Count
    {
        get { lock (_lock) return _tasks.Count; }
    }

    /// <summary>Stopwatch timestamps at which each task (by namespace/name) was first seen bound.</summary>
    public IReadOnlyCollection<long> FirstBoundTimes
    {
        get { lock (_lock) return [.. _firstBoundAt.Values]; }
    }

    private ValueTask Replace(InformerSync<TaskResource> sync)
    {
        var seenAt = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (!sync.First) Relists++;
            _tasks.Clear();
            _readyByNode.Clear();
            _liveByNode.Clear();
            (Bound, Ready) = (0, 0);
            foreach (var task in sync.Items) Put(task, seenAt);
            Notify();
        }
        return ValueTask.CompletedTask;
    }

    private ValueTask Apply(TaskResource task, bool deleted)
    {
        var seenAt = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            Events++;
            if (deleted)
            {
                if (_tasks.Remove($"{task.Namespace}/{task.Name}", out var old)) Tally(old, -1);
            }
            else
            {
                if (task.Status == TaskPhase.Lost) _lost.Add(task);
                Put(task, seenAt);
            }
            Notify();
        }
        return ValueTask.CompletedTask;
    }

    private void Put(TaskResource task, long seenAt)
    {
        var key = $"{task.Namespace}/{task.Name}";
        if (_tasks.TryGetValue(key, out var old)) Tally(old, -1);
        _tasks[key] = task;
        Tally(task, +1);
        if (IsBound(task)) _firstBoundAt.TryAdd(key, seenAt);
    }

    private void Tally(TaskResource task, int delta)
    {
        if (IsBound(task)) Bound += delta;
        if (task.Node is null) return;
        if (!task.Status.IsTerminal()) _liveByNode[task.Node] = _liveByNode.GetValueOrDefault(task.Node) + delta;
        if (task.Status != TaskPhase.Running || !task.Ready || task.StopRequested) return;
        Ready += delta;
        _readyByNode[task.Node] = _readyByNode.GetValueOrDefault(task.Node) + delta;
    }

    private void Notify()
    {
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (!_waiters[i].Condition(this)) continue;
            _waiters[i].Done.TrySetResult();
            _waiters.RemoveAt(i);
        }
    }

    private static bool IsBound(TaskResource task) => task.Node is not null && task.Status.HoldsResources();

    public ValueTask DisposeAsync() => _informer.DisposeAsync();
}
