namespace Chas.Store.Postgres;

/// <summary>The fixed-window counters of <see cref="ISharedCounters"/> in table <c>counters</c>, one row per key and window.</summary>
public sealed partial class PostgresObjectStore
{
    // Ended windows are deleted every this many adds (of this server): often enough to keep the table small,
    // rarely enough to cost nothing.
    private const int AddsBetweenCleanups = 1_000;

    private long _counterAdds;

    public Task<long> AddAsync(string key, DateTimeOffset windowStart, TimeSpan window, long amount = 1,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        var start = windowStart.ToUniversalTime();
        var cleanUp = Interlocked.Increment(ref _counterAdds) % AddsBetweenCleanups == 0;
        return WriteAsync("add to counter", async () =>
        {
            if (cleanUp)
            {
                await using var forget = _dataSource.CreateCommand("DELETE FROM counters WHERE window_end < now()");
                await forget.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = _dataSource.CreateCommand("""
                INSERT INTO counters AS c (key, window_start, window_end, count) VALUES ($1, $2, $3, $4)
                ON CONFLICT (key, window_start) DO UPDATE SET count = c.count + excluded.count
                RETURNING count
                """);
            command.Parameters.AddWithValue(key);
            command.Parameters.AddWithValue(start);
            command.Parameters.AddWithValue(start + window);
            command.Parameters.AddWithValue(amount);
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        });
    }
}
