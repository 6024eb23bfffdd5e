using System.Net;
using Chas.Contracts;

namespace Chas.Client.Informers;

/// <summary>What every informer offers whatever it caches: running, the first sync, and a change signal.</summary>
public interface IInformer : IAsyncDisposable
{
    bool HasSynced { get; }

    /// <summary>Completes once the first list is in the cache and its handlers have run.</summary>
    Task WaitForSyncAsync(CancellationToken ct = default);

    /// <summary>Raised on the informer's loop after each list and after each watch event that changed the cache.</summary>
    event Action? Changed;

    /// <summary>Lists, watches and lists again until <paramref name="ct"/> fires; completes then, without throwing.</summary>
    Task RunAsync(CancellationToken ct);
}

/// <summary>
/// Keeps a local copy of one kind current, as client-go's reflector and informer do: lists, then watches from the
/// listed revision; lists again when the revision is gone (410), when the stream ends or breaks, and when it
/// stalls (no event nor bookmark for <see cref="InformerOptions.StallTimeout"/>), after a pause that grows with
/// each failure and starts over after a successful list. Each list delivers its difference from the cache
/// (objects added, changed, vanished), so nothing deleted during a break goes unheard.
/// </summary>
/// <example><code>
/// await using var tasks = new Informer&lt;TaskResource&gt;(TaskSource.For(client));
/// tasks.Start();
/// var running = await tasks.WaitForAsync(t => t.Name == "web" &amp;&amp; t.Status == TaskPhase.Running, TimeSpan.FromSeconds(30));
/// </code></example>
public sealed class Informer<T> : IInformer
    where T : class
{
    private readonly IListWatchSource<T> _source;
    private readonly InformerOptions _options;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private InformerHandler<T>[] _handlers = [];
    private TaskCompletionSource _nextChange = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _stop;
    private Task? _running;
    private long _revision;
    private long _events;

    public Informer(IListWatchSource<T> source, InformerOptions? options = null, Func<T, string>? keyOf = null)
    {
        _source = source;
        _options = options ?? new InformerOptions();
        Cache = new Indexer<T>(keyOf ?? source.KeyOf);
    }

    /// <summary>The local copy: read it from any thread; add indexes before <see cref="Start"/>.</summary>
    public Indexer<T> Cache { get; }

    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The revision of the last list, event or bookmark applied.</summary>
    public long Revision => Interlocked.Read(ref _revision);

    public event Action? Changed;

    /// <summary>Raised before each pause and new list, with the reason: callers log it in their own words.</summary>
    public event Action<InformerInterruption>? Interrupted;

    public IReadOnlyList<T> List() => Cache.List();
    public T? Get(string key) => Cache.Get(key);
    public IReadOnlyList<T> ByIndex(string name, string value) => Cache.ByIndex(name, value);

    /// <summary>Adds a handler; one added after the first sync hears only the changes that follow.</summary>
    public void AddHandler(InformerHandler<T> handler)
    {
        lock (_lock) _handlers = [.. _handlers, handler];
    }

    public Task WaitForSyncAsync(CancellationToken ct = default) => _synced.Task.WaitAsync(ct);

    /// <summary>Runs the informer in the background until <see cref="DisposeAsync"/> (or <paramref name="ct"/>).</summary>
    public void Start(CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (_running is not null) throw new InvalidOperationException("the informer is already running");
            _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var token = _stop.Token;
            _running = Task.Run(() => RunAsync(token), CancellationToken.None);
        }
    }

    /// <summary>The first cached object that satisfies <paramref name="predicate"/>, waiting for changes until <paramref name="timeout"/>.</summary>
    public async Task<T> WaitForAsync(Func<T, bool> predicate, TimeSpan timeout, CancellationToken ct = default)
    {
        T? found = null;
        await WaitUntilAsync(items => (found = items.FirstOrDefault(predicate)) is not null, timeout, ct);
        return found!;
    }

    /// <summary>Waits until the whole cache satisfies <paramref name="predicate"/>, on the options' clock.</summary>
    /// <exception cref="TimeoutException">It did not within <paramref name="timeout"/>.</exception>
    public async Task WaitUntilAsync(Func<IReadOnlyList<T>, bool> predicate, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = _options.Time.GetTimestamp() + (long)(timeout.TotalSeconds * _options.Time.TimestampFrequency);
        while (true)
        {
            Task next;
            lock (_lock) next = _nextChange.Task;
            if (HasSynced && predicate(Cache.List())) return;
            var left = _options.Time.GetElapsedTime(_options.Time.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero || !await WaitOrTimeOutAsync(next, left, ct))
                throw new TimeoutException($"the {typeof(T).Name} informer did not reach the expected state within {timeout}");
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = new RetryBackoff(_options);
        var first = true;
        long? resumeFrom = null;
        while (!ct.IsCancellationRequested)
        {
            InterruptionKind kind;
            Exception? error = null;
            var eventsBefore = Interlocked.Read(ref _events);
            try
            {
                if (resumeFrom is { } revision)
                {
                    await WatchAsync(revision, ct);
                }
                else
                {
                    var list = await _source.ListAsync(ct);
                    await ApplyListAsync(list, first, ct);
                    first = false;
                    backoff.Reset();
                    await WatchAsync(list.Revision, ct);
                }
                kind = InterruptionKind.StreamEnded;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (StalledException ex)
            {
                (kind, error) = (InterruptionKind.Stalled, ex);
            }
            catch (ChasApiException ex) when (ex.Status == HttpStatusCode.Gone)
            {
                (kind, error) = (InterruptionKind.RevisionGone, ex);
            }
            catch (Exception ex)
            {
                // Whatever broke, the cache keeps its last state and the next list corrects it: an informer never stops.
                (kind, error) = (InterruptionKind.Failed, ex);
            }
            // A resumed watch that delivered something was a success: the next pause starts short again.
            if (resumeFrom is not null && Interlocked.Read(ref _events) > eventsBefore) backoff.Reset();
            resumeFrom = _options.ResumeAfterBreak && !first && kind != InterruptionKind.RevisionGone ? Revision : null;
            var pause = backoff.Next();
            Interrupted?.Invoke(new InformerInterruption(kind, error, pause));
            try
            {
                await Task.Delay(pause, _options.Time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ApplyListAsync(ResourceList<T> list, bool first, CancellationToken ct)
    {
        var listedKeys = new HashSet<string>(StringComparer.Ordinal);
        var changes = new List<(T? Old, T? New)>(list.Items.Count);
        foreach (var item in list.Items)
        {
            listedKeys.Add(Cache.KeyOf(item));
            changes.Add((Cache.Upsert(item), item));
        }
        foreach (var key in Cache.Keys())
            if (!listedKeys.Contains(key) && Cache.Remove(key) is { } vanished)
                changes.Add((vanished, null));
        AdvanceRevision(list.Revision);

        var handlers = Handlers();
        var sync = new InformerSync<T>(Cache.List(), list.Revision, first);
        foreach (var handler in handlers)
        {
            if (handler.DeliverListDifferences)
                foreach (var (old, current) in changes)
                    await DeliverAsync(handler, old, current, ct);
            if (handler.Synced is { } synced) await synced(sync, ct);
        }
        _synced.TrySetResult();
        NotifyChanged();
    }

    private async Task WatchAsync(long revision, CancellationToken ct)
    {
        using var stall = new CancellationTokenSource(_options.StallTimeout, _options.Time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, stall.Token);
        try
        {
            await foreach (var ev in _source.WatchAsync(revision, either.Token).WithCancellation(either.Token))
            {
                // Handlers may take long (stopping a container): their time is not the stream's silence.
                stall.CancelAfter(Timeout.InfiniteTimeSpan);
                await ApplyAsync(ev, ct);
                stall.CancelAfter(_options.StallTimeout);
            }
        }
        catch (OperationCanceledException) when (stall.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new StalledException(_options.StallTimeout);
        }
    }

    private async Task ApplyAsync(WatchEvent<T> ev, CancellationToken ct)
    {
        Interlocked.Increment(ref _events);
        AdvanceRevision(ev.Revision);
        if (ev.Object is not { } item) return;
        T? old;
        T? current;
        switch (ev.Type)
        {
            case WatchEventTypes.Added or WatchEventTypes.Modified:
                (old, current) = (Cache.Upsert(item), item);
                break;
            case WatchEventTypes.Deleted:
                // The event carries the object's last state; one the cache never held changes nothing.
                if (Cache.Remove(Cache.KeyOf(item)) is null) return;
                (old, current) = (item, null);
                break;
            default:
                return;
        }
        foreach (var handler in Handlers()) await DeliverAsync(handler, old, current, ct);
        NotifyChanged();
    }

    private static ValueTask DeliverAsync(InformerHandler<T> handler, T? old, T? current, CancellationToken ct) =>
        (old, current) switch
        {
            (null, { } added) => handler.Added?.Invoke(added, ct) ?? ValueTask.CompletedTask,
            ({ } before, { } after) => handler.Updated?.Invoke(before, after, ct) ?? ValueTask.CompletedTask,
            ({ } deleted, null) => handler.Deleted?.Invoke(deleted, ct) ?? ValueTask.CompletedTask,
            _ => ValueTask.CompletedTask,
        };

    private InformerHandler<T>[] Handlers() { lock (_lock) return _handlers; }

    private void AdvanceRevision(long revision)
    {
        var seen = Interlocked.Read(ref _revision);
        while (revision > seen)
        {
            var was = Interlocked.CompareExchange(ref _revision, revision, seen);
            if (was == seen) return;
            seen = was;
        }
    }

    private void NotifyChanged()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            changed = _nextChange;
            _nextChange = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
        Changed?.Invoke();
    }

    private async Task<bool> WaitOrTimeOutAsync(Task next, TimeSpan left, CancellationToken ct)
    {
        try
        {
            await next.WaitAsync(left, _options.Time, ct);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? running;
        lock (_lock)
        {
            running = _running;
            _stop?.Cancel();
        }
        if (running is not null) await running;
        _stop?.Dispose();
    }

    private sealed class StalledException(TimeSpan timeout)
        : TimeoutException($"no event nor bookmark for {timeout.TotalSeconds:0} s");
}
