using Chas.Store.ContractTests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Chas.Store.Postgres.Tests;

/// <summary>
/// What only the PostgreSQL engine has: its schema migrations and upgrades, and the shared history a reopened
/// store replays. What every engine must do is in the contract suite (<see cref="PostgresObjectStoreContract"/>).
/// </summary>
public sealed class PostgresObjectStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public void Migration_versions_are_ascending_without_gaps()
    {
        Assert.Equal(Enumerable.Range(1, PostgresMigrations.All.Count), PostgresMigrations.All.Select(migration => migration.Version));
        Assert.True(PostgresMigrations.All.Count >= 2);
    }

    [Fact]
    public async Task A_version_1_database_is_upgraded_at_open_and_keeps_its_data()
    {
        var connectionString = await postgres.NewDatabaseAsync();
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            // The schema as the first release left it, with data written by that release.
            await PostgresMigrations.ApplyAsync(dataSource, NullLogger.Instance, CancellationToken.None, upTo: 1);
            await ExecuteAsync(dataSource, """
                INSERT INTO objects (kind, key, version, json) VALUES ('node', 'n1', 1, '{"v":1}'), ('node', 'n2', 2, '{"v":2}');
                UPDATE meta SET value = 2 WHERE name = 'revision';
                """);
            Assert.Equal([1], await AppliedMigrationsAsync(dataSource));
        }

        await using var store = await PostgresObjectStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString });

        Assert.Equal(2, store.CurrentRevision);
        Assert.Equal(new StoredObject("node", "n1", 1, "{\"v\":1}"), await store.GetAsync("node", "n1"));
        Assert.Equal(["n1", "n2"], (await store.ListAsync("node")).Items.Select(item => item.Key));
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            Assert.Equal(PostgresMigrations.All.Select(migration => migration.Version), await AppliedMigrationsAsync(dataSource));
        }

        // The new tables work: the next commit is revision 3 and reaches a watch from the upgrade's revision;
        // the revisions before the change log existed cannot be replayed.
        var watch = store.WatchAsync(null, 2).TakeAsync(1);
        Assert.Equal(3, await store.CommitAsync([WriteOp.Update("node", "n1", 1, "{\"v\":3}")]));
        var change = Assert.Single(await watch);
        Assert.Equal((3L, ChangeType.Modified, "n1"), (change.Revision, change.Type, change.Key));
        await Assert.ThrowsAsync<RevisionTooOldException>(() => store.WatchAsync(null, 1).TakeAsync(1));
        var lease = await store.TryAcquireAsync("leader", "server-a", TimeSpan.FromSeconds(30));
        Assert.Equal(1, lease.Token);
    }

    [Fact]
    public async Task Servers_starting_at_once_on_an_empty_database_apply_each_migration_once()
    {
        var options = await postgres.NewOptionsAsync();

        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgresObjectStore.OpenAsync(options))));
        try
        {
            Assert.Equal(1, await stores[0].CommitAsync([WriteOp.Create("node", "n1", "{}")]));
            await using var dataSource = NpgsqlDataSource.Create(options.ConnectionString);
            Assert.Equal(PostgresMigrations.All.Select(migration => migration.Version), await AppliedMigrationsAsync(dataSource));
        }
        finally
        {
            foreach (var store in stores) await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_reopened_store_replays_the_shared_history_up_to_its_size()
    {
        var options = await postgres.NewOptionsAsync(options => options with { HistorySize = 3 });
        await using (var first = await PostgresObjectStore.OpenAsync(options))
        {
            for (var i = 1; i <= 5; i++)
            {
                await first.CommitAsync([WriteOp.Create("item", $"i{i}", $"{{\"i\":{i}}}")]);
            }
        }

        await using var store = await PostgresObjectStore.OpenAsync(options);

        Assert.Equal(5, store.CurrentRevision);
        var tooOld = await Assert.ThrowsAsync<RevisionTooOldException>(() => store.WatchAsync(null, 1).TakeAsync(1));
        Assert.Equal(2, tooOld.Oldest);
        var replayed = await store.WatchAsync(null, 2).TakeAsync(3);
        Assert.Equal([(3L, "i3"), (4L, "i4"), (5L, "i5")], replayed.Select(change => (change.Revision, change.Key)));
    }

    [Fact]
    public async Task A_store_opened_by_uri_works_and_registers_as_all_three_seams()
    {
        var database = await postgres.Server.CreateDatabaseAsync();
        var services = new ServiceCollection()
            .AddPostgresStore(new PostgresStoreOptions { ConnectionString = postgres.Server.UriFor(database) });
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IObjectStore>();
        Assert.IsType<PostgresObjectStore>(store);
        Assert.Same(store, provider.GetRequiredService<ILeaseStore>());
        Assert.Same(store, provider.GetRequiredService<ISharedCounters>());
        Assert.Equal(1, await store.CommitAsync([WriteOp.Create("node", "n1", "{}")]));
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<int>> AppliedMigrationsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT version FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<int>();
        while (await reader.ReadAsync()) versions.Add(reader.GetInt32(0));
        return versions;
    }
}
