using Chas.Store.ContractTests;

namespace Chas.Store.Postgres.Tests;

/// <summary>
/// The database goes away and comes back under running stores: operations fail as
/// <see cref="StoreUnavailableException"/> meanwhile, and afterwards the same instances commit and watch
/// again, with no acknowledged write lost and no change missed or repeated. The class has its own server,
/// since its tests stop it.
/// </summary>
public sealed class PostgresRestartTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_the_database_restarts_the_same_stores_commit_and_watch_again_losing_nothing(bool crash)
    {
        var options = await postgres.NewOptionsAsync();
        await using var store = await PostgresObjectStore.OpenAsync(options);
        await using var other = await PostgresObjectStore.OpenAsync(options);
        var acknowledged = new List<(long Revision, string Key)>();
        for (var i = 0; i < 5; i++)
        {
            acknowledged.Add((await store.CommitAsync([WriteOp.Create("item", $"before{i}", "{}")]), $"before{i}"));
        }
        var watchHere = store.WatchAsync(null, 0).TakeAsync(15, TimeSpan.FromSeconds(60));
        var watchThere = other.WatchAsync(null, 0).TakeAsync(15, TimeSpan.FromSeconds(60));

        if (crash) await postgres.Server.KillAsync();
        else await postgres.Server.StopAsync();

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.CommitAsync([WriteOp.Create("item", "lost", "{}")]));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync("item", "before0"));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => other.TryAcquireAsync("leader", "b", TimeSpan.FromSeconds(5)));

        await postgres.Server.StartAgainAsync();

        for (var i = 0; i < 10; i++)
        {
            var key = $"after{i}";
            acknowledged.Add((await CommitWhenBackAsync(i % 2 == 0 ? store : other, key), key));
        }

        Assert.Equal(Enumerable.Range(1, 15).Select(i => (long)i), acknowledged.Select(commit => commit.Revision));
        Assert.Null(await store.GetAsync("item", "lost"));
        Assert.Equal(acknowledged.Select(commit => commit.Key).Order(), (await other.ListAsync("item")).Items.Select(item => item.Key).Order());
        Assert.Equal(acknowledged, (await watchHere).Select(change => (change.Revision, change.Key)));
        Assert.Equal(acknowledged, (await watchThere).Select(change => (change.Revision, change.Key)));
        await Eventually.UntilAsync(() => other.CurrentRevision == 15 && store.CurrentRevision == 15, TimeSpan.FromSeconds(10), "both feeds at the last revision");
    }

    // Right after the restart the first attempts may still fail (the server finishes recovery, pooled
    // connections are found dead): a client retries an unavailable store, and so does this test, with a deadline.
    private static async Task<long> CommitWhenBackAsync(PostgresObjectStore store, string key)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await store.CommitAsync([WriteOp.Create("item", key, "{}")]);
            }
            catch (StoreUnavailableException) when (started.Elapsed < Recovery)
            {
                await Task.Delay(100);
            }
        }
    }
}
