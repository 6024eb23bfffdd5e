using System.Text.Json;
using System.Threading.Channels;
using Chas.Contracts;
using Chas.Server.Hosting;
using Chas.Store;
using Microsoft.Extensions.Hosting;

namespace Chas.Server.State;

/// <summary>
/// The audit log: every mutating request, kept in the store (kind "audit") with a bounded history.
/// Entries are written in batches off the request path, so auditing never slows an answer; the
/// newest <see cref="ServerOptions.AuditHistory"/> entries are kept.
/// </summary>
public sealed class AuditLog(IObjectStore store, ServerOptions options, TimeProvider time) : BackgroundService
{
    public const string KindName = "audit";
    // Entries an older version wrote read with their declared defaults (ChasJson.Stored).
    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<AuditEntry> StoredEntry = ChasJson.StoredTypeInfo<AuditEntry>();
    private readonly Channel<AuditEntry> _pending = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });
    private long _sequence;

    public void Record(AuditEntry entry)
    {
        var id = Interlocked.Increment(ref _sequence);
        // Waits only when 10,000 entries are queued, i.e. the store is far behind: better slow than silent.
        if (!_pending.Writer.TryWrite(entry with { Id = id })) _pending.Writer.WriteAsync(entry with { Id = id }).AsTask().GetAwaiter().GetResult();
    }

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(string? user, DateTimeOffset? since, int limit, CancellationToken ct)
    {
        await FlushedAsync(ct);
        var list = await store.ListAsync(KindName, ct);
        return list.Items
            .Select(o => JsonSerializer.Deserialize(o.Json, StoredEntry)!)
            .Where(e => user is null || e.User == user)
            .Where(e => since is null || e.Time >= since)
            .OrderByDescending(e => e.Time).ThenByDescending(e => e.Id)
            .Take(limit)
            .Reverse()
            .ToList();
    }

    private static readonly TimeSpan UnavailableRetry = TimeSpan.FromSeconds(1);

    /// <summary>How long a query waits for what was recorded before it to reach the store.</summary>
    public static readonly TimeSpan FlushLimit = TimeSpan.FromSeconds(2);

    // The id of the newest entry in the store.
    private readonly MonotonicCounter _committed = new();

    /// <summary>Waits (briefly) until what was recorded before the call is in the store, so a query right after a request sees it.</summary>
    private Task<bool> FlushedAsync(CancellationToken ct) => _committed.WaitForAsync(Interlocked.Read(ref _sequence), FlushLimit, time, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var kept = new Queue<string>((await store.ListAsync(KindName, stoppingToken)).Items.Select(o => o.Key).Order(StringComparer.Ordinal));
        var batch = new List<WriteOp>();
        var trims = new List<WriteOp>();
        long last = 0;
        while (await _pending.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            trims.Clear();
            while (batch.Count < 500 && _pending.Reader.TryRead(out var entry))
            {
                var key = $"{entry.Time.UtcTicks:D19}-{entry.Id:D12}";
                batch.Add(WriteOp.Create(KindName, key, JsonSerializer.Serialize(entry, ChasJsonContext.Default.AuditEntry)));
                kept.Enqueue(key);
                last = entry.Id;
            }
            while (kept.Count > options.AuditHistory) trims.Add(WriteOp.Delete(KindName, kept.Dequeue(), WriteOp.AnyVersion));
            while (true)
            {
                try
                {
                    await store.CommitAsync(batch, stoppingToken);
                    break;
                }
                catch (ConflictException)
                {
                    // Two entries with one key cannot happen (ids are unique); a retried batch that the database did
                    // commit before the connection broke is already in.
                    break;
                }
                catch (StoreUnavailableException)
                {
                    // The database is gone for now: keep the batch and try again, rather than end this service (and the server).
                    await Task.Delay(UnavailableRetry, time, stoppingToken);
                }
            }
            // Trimmed in a commit of their own: with several servers on one store another may have trimmed the same
            // old entry first, and that conflict must not cost the new entries.
            if (trims.Count > 0) await StoreTrims.DeleteAsync(store, trims, stoppingToken);
            _committed.RaiseTo(last);
        }
    }
}
