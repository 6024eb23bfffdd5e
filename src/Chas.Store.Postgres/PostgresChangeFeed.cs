using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Chas.Store.Postgres;

/// <summary>
/// Carries the commits of every server on the database into this server's <see cref="WatchHub"/>, in
/// revision order, each exactly once. A dedicated connection LISTENs for the commits' notifications; each
/// one (and, as the safety net for a notification lost with a connection, every poll interval) wakes a
/// single reader that reads <c>changes</c> after the last published revision. Because revision N commits
/// only after every revision below it (the revision row's lock), reading "after the last" never skips a
/// late committer, and resuming from the last published revision after a broken connection misses nothing
/// and repeats nothing.
/// </summary>
internal sealed class PostgresChangeFeed : IAsyncDisposable
{
    public const string NotificationChannel = "chas_changes";

    private const int ReadBatchRows = 5_000;
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly WatchHub _hub;
    private readonly PostgresStoreOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _waitersLock = new();
    private readonly List<(long Revision, TaskCompletionSource<bool> Seen)> _waiters = [];
    private long _lastPublished;
    private long _lastTrim;
    private bool _readFailing;
    private Task _listening = Task.CompletedTask;
    private Task _reading = Task.CompletedTask;

    public PostgresChangeFeed(NpgsqlDataSource dataSource, WatchHub hub, long lastPublished, PostgresStoreOptions options, ILogger logger)
    {
        _dataSource = dataSource;
        _hub = hub;
        _lastPublished = lastPublished;
        _options = options;
        _logger = logger;
        _lastTrim = options.Time.GetTimestamp();
    }

    public long LastPublished => Volatile.Read(ref _lastPublished);

    public void Start()
    {
        _listening = Task.Run(() => ListenAsync(_stop.Token));
        _reading = Task.Run(() => ReadAsync(_stop.Token));
    }

    /// <summary>Reads the changes table now: a local commit need not wait for its notification's round trip.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>True once <paramref name="revision"/> is published to the hub; false after <paramref name="timeout"/> or on close.</summary>
    public async Task<bool> WaitForAsync(long revision, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> seen;
        lock (_waitersLock)
        {
            if (_lastPublished >= revision) return true;
            seen = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((revision, seen));
        }
        Wake();
        try
        {
            return await seen.Task.WaitAsync(timeout, _options.Time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            lock (_waitersLock) _waiters.Remove((revision, seen));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_listening, _reading);
        lock (_waitersLock)
        {
            foreach (var (_, seen) in _waiters) seen.TrySetResult(false);
        }
        _stop.Dispose();
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        var backoff = InitialBackoff;
        var reconnecting = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stop);
                connection.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"LISTEN {NotificationChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stop);
                }
                if (reconnecting) PostgresStoreLog.FeedListening(_logger, LastPublished);
                reconnecting = false;
                backoff = InitialBackoff;
                // Whatever was committed while nobody listened is read now, not at the next poll.
                Wake();
                while (true)
                {
                    await connection.WaitAsync(stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                PostgresStoreLog.FeedConnectionLost(_logger, backoff, LastPublished, exception);
                reconnecting = true;
                if (!await DelayQuietlyAsync(backoff, stop)) return;
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private async Task ReadAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await CatchUpAsync(stop);
                _readFailing = false;
                await TrimNowAndThenAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Once per outage: the poll keeps trying every interval until the database answers.
                if (!_readFailing) PostgresStoreLog.FeedReadFailed(_logger, LastPublished, exception);
                _readFailing = true;
            }

            if (!await WaitForWakeAsync(stop)) return;
        }
    }

    private async Task<bool> WaitForWakeAsync(CancellationToken stop)
    {
        using var poll = new CancellationTokenSource(_options.PollInterval, _options.Time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, poll.Token);
        try
        {
            await _wake.Reader.WaitToReadAsync(either.Token);
            _wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // The poll interval passed without a notification: read anyway.
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        return true;
    }

    private async Task CatchUpAsync(CancellationToken stop)
    {
        while (true)
        {
            var rows = await ReadAfterAsync(LastPublished, stop);
            if (rows.Count == 0) return;

            var commits = GroupByRevision(rows);
            var full = rows.Count == ReadBatchRows;
            if (full && commits.Count > 1)
            {
                // The last commit may be cut by the limit: read it whole in the next round.
                commits.RemoveAt(commits.Count - 1);
            }
            else if (full)
            {
                commits[0] = await ReadRevisionAsync(commits[0][0].Revision, stop);
            }

            foreach (var commit in commits)
            {
                Publish(commit);
            }
            if (!full) return;
        }
    }

    private void Publish(List<ChangeEvent> commit)
    {
        var revision = commit[0].Revision;
        if (revision != LastPublished + 1) PostgresStoreLog.FeedGap(_logger, LastPublished, revision);
        _hub.Publish(commit);
        lock (_waitersLock)
        {
            Volatile.Write(ref _lastPublished, revision);
            foreach (var (waited, seen) in _waiters)
            {
                if (waited <= revision) seen.TrySetResult(true);
            }
        }
    }

    private async Task<List<ChangeEvent>> ReadAfterAsync(long revision, CancellationToken stop)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT revision, type, kind, key, json FROM changes WHERE revision > $1 ORDER BY revision, ordinal LIMIT $2");
        command.Parameters.AddWithValue(revision);
        command.Parameters.AddWithValue(ReadBatchRows);
        return await ReadChangesAsync(command, stop);
    }

    private async Task<List<ChangeEvent>> ReadRevisionAsync(long revision, CancellationToken stop)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT revision, type, kind, key, json FROM changes WHERE revision = $1 ORDER BY ordinal");
        command.Parameters.AddWithValue(revision);
        return await ReadChangesAsync(command, stop);
    }

    /// <summary>Reads rows of (revision, type, kind, key, json) as changes.</summary>
    internal static async Task<List<ChangeEvent>> ReadChangesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var changes = new List<ChangeEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(new ChangeEvent(reader.GetInt64(0), (ChangeType)reader.GetInt16(1), reader.GetString(2),
                reader.GetString(3), reader.GetString(4)));
        }
        return changes;
    }

    /// <summary>Splits changes in revision order into one list per commit.</summary>
    internal static List<List<ChangeEvent>> GroupByRevision(IReadOnlyList<ChangeEvent> changes)
    {
        var commits = new List<List<ChangeEvent>>();
        foreach (var change in changes)
        {
            if (commits.Count == 0 || commits[^1][0].Revision != change.Revision) commits.Add([]);
            commits[^1].Add(change);
        }
        return commits;
    }

    // Every server trims; the deletes of two servers at once simply find less to delete.
    private async Task TrimNowAndThenAsync(CancellationToken stop)
    {
        if (_options.Time.GetElapsedTime(_lastTrim) < _options.TrimInterval) return;
        _lastTrim = _options.Time.GetTimestamp();
        try
        {
            await using var command = _dataSource.CreateCommand("""
                DELETE FROM changes WHERE revision <
                    (SELECT revision FROM changes ORDER BY revision DESC, ordinal DESC OFFSET $1 LIMIT 1)
                """);
            command.Parameters.AddWithValue(_options.EffectiveChangesToKeep);
            var trimmed = await command.ExecuteNonQueryAsync(stop);
            if (trimmed > 0) PostgresStoreLog.ChangesTrimmed(_logger, trimmed);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            PostgresStoreLog.TrimFailed(_logger, exception);
        }
    }

    private async Task<bool> DelayQuietlyAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, _options.Time, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
