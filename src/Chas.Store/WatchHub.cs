using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chas.Store;

/// <summary>
/// Fans committed changes out to watchers, independent of the database behind the store: the store
/// publishes each commit here (in commit order) and every watcher reads the recent history first,
/// then live changes. Publishing never waits for a watcher; a watcher that falls behind is dropped.
/// Kinds named as separate (the event and audit logs: many writes, few readers) keep a history of
/// their own, so that their volume cannot push the changes agents and controllers resume from out
/// of the replayable window.
/// </summary>
public sealed class WatchHub
{
    public const int DefaultHistorySize = 10_000;
    public const int DefaultSubscriberBufferSize = 10_000;

    // One lock orders publishing, history and subscription, so that a new watcher's copy of the
    // history and its registration for live changes meet with no gap and no duplicate.
    private readonly Lock _lock = new();
    private readonly HistoryRing _history;
    private readonly HistoryRing? _separateHistory;
    private readonly IReadOnlySet<string> _separateKinds;
    private readonly List<Subscription> _subscriptions = [];
    private readonly int _subscriberBufferSize;
    private readonly ILogger _logger;
    private long _lastRevision;
    private bool _completed;

    /// <param name="startRevision">
    /// The store's revision when the hub is created: changes up to it were never published here, so a
    /// watch from an older revision must re-list.
    /// </param>
    /// <param name="separateHistoryKinds">Kinds whose changes are kept in a second history of the same size.</param>
    public WatchHub(long startRevision, int historySize = DefaultHistorySize,
        int subscriberBufferSize = DefaultSubscriberBufferSize, ILogger? logger = null, IReadOnlySet<string>? separateHistoryKinds = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startRevision);
        ArgumentOutOfRangeException.ThrowIfLessThan(historySize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(subscriberBufferSize, 1);
        _history = new HistoryRing(historySize, startRevision);
        _separateKinds = separateHistoryKinds ?? new HashSet<string>();
        _separateHistory = _separateKinds.Count > 0 ? new HistoryRing(historySize, startRevision) : null;
        _subscriberBufferSize = subscriberBufferSize;
        _logger = logger ?? NullLogger.Instance;
        _lastRevision = startRevision;
    }

    /// <summary>The revision of the last published change (or the start revision).</summary>
    public long LastRevision
    {
        get { lock (_lock) { return _lastRevision; } }
    }

    /// <summary>The oldest revision a watch of every kind can start from without <see cref="RevisionTooOldException"/>.</summary>
    public long OldestWatchableRevision
    {
        get { lock (_lock) { return FloorFor(null); } }
    }

    /// <summary>The oldest revision a watch of <paramref name="kinds"/> (null: all) can start from.</summary>
    public long OldestWatchableRevisionOf(IReadOnlySet<string>? kinds)
    {
        lock (_lock) { return FloorFor(kinds); }
    }

    /// <summary>How many watches are open: a watch that ended (cancelled, dropped, completed) no longer counts.</summary>
    public int SubscriberCount
    {
        get { lock (_lock) { return _subscriptions.Count; } }
    }

    /// <summary>Publishes a commit that wrote a single object.</summary>
    public void Publish(ChangeEvent change) => Publish([change]);

    /// <summary>
    /// Publishes all changes of one commit. They share one revision, greater than any published before.
    /// A watcher receives a commit whole or is dropped before any of it, so resuming from the last
    /// revision it saw never skips half a commit.
    /// </summary>
    public void Publish(IReadOnlyList<ChangeEvent> commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        if (commit.Count == 0)
        {
            throw new ArgumentException("a commit has at least one change", nameof(commit));
        }

        var revision = commit[0].Revision;
        if (commit.Any(change => change.Revision != revision))
        {
            throw new ArgumentException("all changes of one commit share its revision", nameof(commit));
        }

        var dropped = 0;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            if (revision <= _lastRevision)
            {
                throw new ArgumentException($"revision {revision} is not after the last published {_lastRevision}", nameof(commit));
            }

            foreach (var change in commit)
            {
                HistoryOf(change.Kind).Append(change);
            }
            _lastRevision = revision;

            // Backwards, so that dropping a subscription does not shift the ones still to visit.
            for (var i = _subscriptions.Count - 1; i >= 0; i--)
            {
                if (!_subscriptions[i].TryDeliver(commit, _subscriberBufferSize))
                {
                    _subscriptions.RemoveAt(i);
                    dropped++;
                }
            }
        }

        if (dropped > 0)
        {
            StoreLog.WatchersDropped(_logger, dropped, revision);
        }
    }

    /// <summary>
    /// Changes of the given kinds (null: all) after <paramref name="sinceRevision"/>: first from the
    /// history, then live, until cancelled (which ends the enumeration quietly). The watch begins when
    /// enumeration begins; that is when <see cref="RevisionTooOldException"/> is thrown.
    /// </summary>
    public IAsyncEnumerable<ChangeEvent> Subscribe(IReadOnlySet<string>? kinds, long sinceRevision,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sinceRevision);
        return SubscribeCore(kinds, sinceRevision, cancellationToken);
    }

    /// <summary>Ends every watch quietly and refuses new ones; used when the store closes.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            foreach (var subscription in _subscriptions)
            {
                subscription.End(overflowed: false);
            }
            _subscriptions.Clear();
        }
    }

    private async IAsyncEnumerable<ChangeEvent> SubscribeCore(IReadOnlySet<string>? kinds, long sinceRevision,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var subscription = new Subscription(kinds, sinceRevision);
        List<ChangeEvent> backlog;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            var floor = FloorFor(kinds);
            if (sinceRevision < floor)
            {
                throw new RevisionTooOldException(sinceRevision, floor);
            }
            backlog = CopyHistoryFor(subscription);
            _subscriptions.Add(subscription);
        }

        try
        {
            foreach (var change in backlog)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                yield return change;
            }

            var reader = subscription.Reader;
            while (await WaitToReadQuietlyAsync(reader, cancellationToken))
            {
                while (!cancellationToken.IsCancellationRequested && reader.TryRead(out var change))
                {
                    yield return change;
                }
            }

            if (subscription.Overflowed && !cancellationToken.IsCancellationRequested)
            {
                throw new WatchOverflowException();
            }
        }
        finally
        {
            lock (_lock)
            {
                _subscriptions.Remove(subscription);
            }
        }
    }

    // Cancellation is how a watcher says it is done, not an error, so it ends the loop like completion.
    private static async ValueTask<bool> WaitToReadQuietlyAsync(ChannelReader<ChangeEvent> reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.WaitToReadAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private HistoryRing HistoryOf(string kind) =>
        _separateHistory is not null && _separateKinds.Contains(kind) ? _separateHistory : _history;

    // A watch is complete from a revision when every history holding one of its kinds still covers it.
    private long FloorFor(IReadOnlySet<string>? kinds)
    {
        if (_separateHistory is null) return _history.Floor;
        var readsSeparate = kinds is null || kinds.Overlaps(_separateKinds);
        var readsMain = kinds is null || !kinds.IsSubsetOf(_separateKinds);
        return Math.Max(readsMain ? _history.Floor : 0, readsSeparate ? _separateHistory.Floor : 0);
    }

    private List<ChangeEvent> CopyHistoryFor(Subscription subscription)
    {
        var main = _history.Where(subscription.Wants);
        if (_separateHistory is null) return main;
        var separate = _separateHistory.Where(subscription.Wants);
        if (separate.Count == 0) return main;
        if (main.Count == 0) return separate;

        // Both are in revision order: merge them, keeping a commit's changes together.
        var merged = new List<ChangeEvent>(main.Count + separate.Count);
        int m = 0, n = 0;
        while (m < main.Count || n < separate.Count)
        {
            var takeMain = n == separate.Count || (m < main.Count && main[m].Revision <= separate[n].Revision);
            merged.Add(takeMain ? main[m++] : separate[n++]);
        }
        return merged;
    }

    private sealed class Subscription(IReadOnlySet<string>? kinds, long sinceRevision)
    {
        // Unbounded, with the bound enforced by TryDeliver, so that a whole commit is admitted or
        // refused at once. Only the hub writes, always under its lock. Not SingleReader: that variant
        // cannot count what is waiting. No synchronous continuations: a watcher's code never runs on
        // the committing thread.
        private readonly Channel<ChangeEvent> _channel = Channel.CreateUnbounded<ChangeEvent>(
            new UnboundedChannelOptions { SingleWriter = true, AllowSynchronousContinuations = false });

        private volatile bool _overflowed;

        public ChannelReader<ChangeEvent> Reader => _channel.Reader;

        public bool Overflowed => _overflowed;

        public bool Wants(ChangeEvent change) =>
            change.Revision > sinceRevision && (kinds is null || kinds.Contains(change.Kind));

        /// <summary>Queues the wanted changes of a commit; false (and the stream ended) when there is no room.</summary>
        public bool TryDeliver(IReadOnlyList<ChangeEvent> commit, int bufferSize)
        {
            var wanted = commit.Count(Wants);
            if (wanted == 0)
            {
                return true;
            }

            // A commit larger than the whole buffer still reaches a watcher that has caught up.
            var pending = _channel.Reader.Count;
            if (pending > 0 && pending + wanted > bufferSize)
            {
                End(overflowed: true);
                return false;
            }

            foreach (var change in commit)
            {
                if (Wants(change))
                {
                    _channel.Writer.TryWrite(change);
                }
            }
            return true;
        }

        public void End(bool overflowed)
        {
            _overflowed = overflowed;
            _channel.Writer.TryComplete();
        }
    }
}
