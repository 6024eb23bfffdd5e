using Chas.Store.ContractTests;

namespace Chas.Store.Postgres.Tests;

/// <summary>Leases judged by the database's clock, their fencing tokens, and fenced commits.</summary>
public sealed class PostgresLeaseTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_free_lease_is_taken_with_token_1_and_another_holder_only_reads_it()
    {
        await using var store = await PostgresObjectStore.OpenAsync(await postgres.NewOptionsAsync());
        Assert.Null(await store.GetAsync("leader"));

        var taken = await store.TryAcquireAsync("leader", "a", Long);
        var refused = await store.TryAcquireAsync("leader", "b", Long);

        Assert.Equal(("leader", "a", 1L), (taken.Name, taken.Holder, taken.Token));
        Assert.Equal(taken, refused);
        Assert.Equal(taken, await store.GetAsync("leader"));
    }

    [Fact]
    public async Task The_holder_renews_and_reacquires_keeping_its_token_and_extending_its_term()
    {
        await using var store = await PostgresObjectStore.OpenAsync(await postgres.NewOptionsAsync());
        var taken = await store.TryAcquireAsync("leader", "a", TimeSpan.FromSeconds(30));

        Assert.True(await store.RenewAsync("leader", "a", taken.Token, Long));
        var renewed = (await store.GetAsync("leader"))!;
        var again = await store.TryAcquireAsync("leader", "a", Long);

        Assert.Equal(1, renewed.Token);
        Assert.True(renewed.ExpiresAt > taken.ExpiresAt);
        Assert.Equal(("a", 1L), (again.Holder, again.Token));
        Assert.False(await store.RenewAsync("leader", "a", taken.Token + 1, Long));
        Assert.False(await store.RenewAsync("leader", "b", taken.Token, Long));
    }

    [Fact]
    public async Task An_expired_lease_is_taken_over_with_a_higher_token_and_the_old_holder_cannot_renew()
    {
        var options = await postgres.NewOptionsAsync();
        await using var serverA = await PostgresObjectStore.OpenAsync(options);
        await using var serverB = await PostgresObjectStore.OpenAsync(options);
        var first = await serverA.TryAcquireAsync("leader", "a", Short);

        var second = await Eventually.WaitAsync(() => serverB.TryAcquireAsync("leader", "b", Long),
            lease => lease.Holder == "b", "b to take the expired lease");

        Assert.Equal(first.Token + 1, second.Token);
        Assert.False(await serverA.RenewAsync("leader", "a", first.Token, Long));
        Assert.Equal("b", (await serverA.TryAcquireAsync("leader", "a", Long)).Holder);
    }

    [Fact]
    public async Task A_released_lease_is_free_at_once_and_its_next_holder_gets_a_higher_token()
    {
        await using var store = await PostgresObjectStore.OpenAsync(await postgres.NewOptionsAsync());
        var first = await store.TryAcquireAsync("leader", "a", Long);

        await store.ReleaseAsync("leader", "a", first.Token);
        await store.ReleaseAsync("leader", "a", first.Token); // already lost: a no-op
        var second = await store.TryAcquireAsync("leader", "b", Long);

        Assert.Equal(("b", 2L), (second.Holder, second.Token));
        Assert.False(await store.RenewAsync("leader", "a", first.Token, Long));
        await store.ReleaseAsync("leader", "a", first.Token); // a stale release leaves b's term alone
        Assert.Equal(second, await store.GetAsync("leader"));
    }

    [Fact]
    public async Task A_commit_under_the_current_token_applies_and_under_a_stale_one_is_refused_writing_nothing()
    {
        var options = await postgres.NewOptionsAsync();
        await using var serverA = await PostgresObjectStore.OpenAsync(options);
        await using var serverB = await PostgresObjectStore.OpenAsync(options);
        var termA = await serverA.TryAcquireAsync("leader", "a", Short);
        using (StoreFence.Enter(new Fence("leader", termA.Token)))
        {
            Assert.Equal(1, await serverA.CommitAsync([WriteOp.Create("task", "t1", "{}")]));
        }

        var termB = await Eventually.WaitAsync(() => serverB.TryAcquireAsync("leader", "b", Long),
            lease => lease.Holder == "b", "b to take the expired lease");
        var watch = serverA.WatchAsync(null, 1).TakeAsync(1);

        FencedOutException refused;
        using (StoreFence.Enter(new Fence("leader", termA.Token)))
        {
            refused = await Assert.ThrowsAsync<FencedOutException>(() => serverA.CommitAsync([WriteOp.Create("task", "t2", "{}")]));
        }
        using (StoreFence.Enter(new Fence("leader", termB.Token)))
        {
            Assert.Equal(2, await serverB.CommitAsync([WriteOp.Create("task", "t3", "{}")]));
        }

        Assert.Equal(new Fence("leader", termA.Token), refused.Fence);
        Assert.Null(await serverA.GetAsync("task", "t2"));
        // The refused commit took no revision and left no change: the next change is b's.
        var next = Assert.Single(await watch);
        Assert.Equal((2L, "t3"), (next.Revision, next.Key));
    }

    [Fact]
    public async Task A_fenced_commit_is_refused_when_its_term_expired_even_if_nobody_took_over()
    {
        await using var store = await PostgresObjectStore.OpenAsync(await postgres.NewOptionsAsync());
        var term = await store.TryAcquireAsync("leader", "a", Short);

        using var fenced = StoreFence.Enter(new Fence("leader", term.Token));
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                await store.CommitAsync([WriteOp.Update("task", "t", WriteOp.AnyVersion, "{}")]);
                return false;
            }
            catch (FencedOutException)
            {
                return true;
            }
        }, TimeSpan.FromSeconds(10), "the term to expire");
        await Assert.ThrowsAsync<FencedOutException>(() => store.CommitAsync([WriteOp.Create("task", "never", "{}")]));
        var neverTaken = await Assert.ThrowsAsync<FencedOutException>(() =>
        {
            using var other = StoreFence.Enter(new Fence("no-such-lease", 1));
            return store.CommitAsync([WriteOp.Create("task", "never", "{}")]);
        });

        Assert.Equal("no-such-lease", neverTaken.Fence.LeaseName);
        Assert.Null(await store.GetAsync("task", "never"));
    }
}
