using Chas.Store.ContractTests;
using Npgsql;

namespace Chas.Store.Postgres.Tests;

/// <summary>The change feed's safety nets: the poll that finds a commit whose notification was lost, and the trim of old change rows.</summary>
public sealed class PostgresChangeFeedTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_commit_whose_notification_never_came_is_found_by_the_poll()
    {
        var options = await postgres.NewOptionsAsync(options => options with { PollInterval = TimeSpan.FromMilliseconds(200) });
        await using var store = await PostgresObjectStore.OpenAsync(options);
        var watch = store.WatchAsync(null, 0).TakeAsync(1, TimeSpan.FromSeconds(10));

        // A commit as another server writes it, minus its NOTIFY: as if the notification was lost with a connection.
        await using (var dataSource = NpgsqlDataSource.Create(options.ConnectionString))
        await using (var command = dataSource.CreateCommand("""
            UPDATE meta SET value = 1 WHERE name = 'revision';
            INSERT INTO objects (kind, key, version, json) VALUES ('node', 'silent', 1, '{}');
            INSERT INTO changes (revision, ordinal, type, kind, key, json) VALUES (1, 0, 0, 'node', 'silent', '{}');
            """))
        {
            await command.ExecuteNonQueryAsync();
        }

        var change = Assert.Single(await watch);
        Assert.Equal(new ChangeEvent(1, ChangeType.Added, "node", "silent", "{}"), change);
        Assert.Equal(1, store.CurrentRevision);
    }

    [Fact]
    public async Task Old_change_rows_are_trimmed_to_what_is_kept_and_the_rest_still_replays()
    {
        var options = await postgres.NewOptionsAsync(options => options with
        {
            HistorySize = 5,
            ChangesToKeep = 10,
            TrimInterval = TimeSpan.FromMilliseconds(100),
            PollInterval = TimeSpan.FromMilliseconds(100),
        });
        await using (var store = await PostgresObjectStore.OpenAsync(options))
        {
            for (var i = 1; i <= 30; i++)
            {
                await store.CommitAsync([WriteOp.Create("item", $"i{i}", "{}")]);
            }
            await using var dataSource = NpgsqlDataSource.Create(options.ConnectionString);
            await Eventually.UntilAsync(async () => await OldestChangeAsync(dataSource) > 1, TimeSpan.FromSeconds(10), "the feed to trim old rows");
            await using var count = dataSource.CreateCommand("SELECT count(*), min(revision) FROM changes");
            await using var reader = await count.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.InRange(reader.GetInt64(0), 10, 29);
            Assert.Equal(30, reader.GetInt64(1) + reader.GetInt64(0) - 1);
        }

        await using var reopened = await PostgresObjectStore.OpenAsync(options);
        var replayed = await reopened.WatchAsync(null, 25).TakeAsync(5);
        Assert.Equal(Enumerable.Range(26, 5).Select(i => (long)i), replayed.Select(change => change.Revision));
    }

    private static async Task<long> OldestChangeAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT COALESCE(min(revision), 0) FROM changes");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
