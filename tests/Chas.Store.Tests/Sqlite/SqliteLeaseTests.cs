using Chas.Store.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Store.Tests.Sqlite;

/// <summary>What only the SQLite engine does with leases: one process owns the file, so a restart voids them.</summary>
public sealed class SqliteLeaseTests
{
    private static readonly TimeSpan LongTerm = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Reopening_voids_the_leases_of_the_previous_process_but_keeps_tokens_growing()
    {
        await using var temp = await TempSqliteStore.CreateAsync();
        var before = await temp.Store.TryAcquireAsync("leader", "old-process", LongTerm);

        await temp.ReopenAsync();
        var after = await temp.Store.TryAcquireAsync("leader", "new-process", LongTerm);

        Assert.Equal("new-process", after.Holder);
        Assert.True(after.Token > before.Token, $"token {after.Token} is not larger than {before.Token}");
        using (StoreFence.Enter(new Fence("leader", before.Token)))
        {
            await Assert.ThrowsAsync<FencedOutException>(() => temp.Store.CommitAsync([WriteOp.Create("node", "n1", "{}")]));
        }
    }

    [Fact]
    public async Task AddSqliteStore_serves_leases_and_counters_from_the_one_process()
    {
        var directory = Path.Combine(Path.GetTempPath(), "chas-store-tests", Guid.NewGuid().ToString("N"));
        await using (var provider = new ServiceCollection().AddSqliteStore(Path.Combine(directory, "chas.db")).BuildServiceProvider())
        {
            Assert.Same(provider.GetRequiredService<IObjectStore>(), provider.GetRequiredService<ILeaseStore>());
            Assert.IsType<InMemorySharedCounters>(provider.GetRequiredService<ISharedCounters>());
        }
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void A_store_registered_later_that_keeps_no_leases_leaves_no_lease_store()
    {
        var services = new ServiceCollection().AddSqliteStore("unused.db");
        services.AddSingleton<IObjectStore>(new StoreWithoutLeases());

        using var provider = services.BuildServiceProvider();

        Assert.Null(provider.GetService<ILeaseStore>());
    }

    [Fact]
    public void AddSqliteStore_after_another_store_registers_no_leases_of_its_own()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IObjectStore>(_ => throw new InvalidOperationException("the fake"));

        services.AddSqliteStore("unused.db");

        Assert.DoesNotContain(services, service => service.ServiceType == typeof(ILeaseStore));
    }

    private sealed class StoreWithoutLeases : IObjectStore
    {
        public long CurrentRevision => 0;
        public Task<StoredObject?> GetAsync(string kind, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<StoredList> ListAsync(string kind, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<long> CommitAsync(IReadOnlyList<WriteOp> writes, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public IAsyncEnumerable<ChangeEvent> WatchAsync(IReadOnlySet<string>? kinds, long sinceRevision, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
