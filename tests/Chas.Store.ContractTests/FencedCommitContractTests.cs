namespace Chas.Store.ContractTests;

/// <summary>
/// What every store that is also an <see cref="ILeaseStore"/> must do with <see cref="StoreFence"/>: a commit
/// made inside a fence applies only while that lease is held under the fence's token and unexpired, checked in
/// the commit's own transaction; otherwise it throws <see cref="FencedOutException"/> and writes nothing.
/// </summary>
public abstract class FencedCommitContractTests : IAsyncLifetime
{
    private static readonly TimeSpan LongTerm = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ShortTerm = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan PastExpiry = ShortTerm + TimeSpan.FromMilliseconds(200);

    private IStoreUnderTest _underTest = null!;

    private IObjectStore Store => _underTest.Store;

    private ILeaseStore Leases => _underTest.Store as ILeaseStore
        ?? throw new InvalidOperationException($"{_underTest.Store.GetType().Name} is no ILeaseStore");

    /// <summary>A new, empty store on storage of its own.</summary>
    protected abstract Task<IStoreUnderTest> CreateStoreAsync(StoreContractSettings settings);

    public async Task InitializeAsync() => _underTest = await CreateStoreAsync(new StoreContractSettings());

    public async Task DisposeAsync() => await _underTest.DisposeAsync();

    [Fact]
    public async Task A_commit_under_the_current_token_applies()
    {
        var lease = await Leases.TryAcquireAsync("leader", "a", LongTerm);

        long revision;
        using (StoreFence.Enter(new Fence("leader", lease.Token)))
        {
            revision = await Store.CommitAsync([WriteOp.Create("node", "n1", "{}")]);
        }

        Assert.Equal(revision, (await Store.GetAsync("node", "n1"))!.Version);
    }

    [Fact]
    public async Task A_commit_under_a_stale_token_after_a_takeover_is_refused_and_writes_nothing()
    {
        var before = await Store.CommitAsync([WriteOp.Create("node", "n1", """{"v":1}""")]);
        var first = await Leases.TryAcquireAsync("leader", "a", ShortTerm);
        await _underTest.LetTimePassAsync(PastExpiry);
        var second = await Leases.TryAcquireAsync("leader", "b", LongTerm);
        Assert.Equal("b", second.Holder);
        var watch = Store.WatchAsync(null, before);

        using (StoreFence.Enter(new Fence("leader", first.Token)))
        {
            var refused = await Assert.ThrowsAsync<FencedOutException>(() => Store.CommitAsync(
                [WriteOp.Update("node", "n1", before, """{"v":2}"""), WriteOp.Create("node", "n2", "{}")]));
            Assert.Equal(new Fence("leader", first.Token), refused.Fence);
        }

        Assert.Equal(before, Store.CurrentRevision);
        Assert.Equal("""{"v":1}""", (await Store.GetAsync("node", "n1"))!.Json);
        Assert.Null(await Store.GetAsync("node", "n2"));
        Assert.Empty(await watch.TakeAsync(1, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_commit_under_an_expired_term_is_refused_even_before_anyone_takes_over()
    {
        var lease = await Leases.TryAcquireAsync("leader", "a", ShortTerm);
        await _underTest.LetTimePassAsync(PastExpiry);

        using (StoreFence.Enter(new Fence("leader", lease.Token)))
        {
            await Assert.ThrowsAsync<FencedOutException>(() => Store.CommitAsync([WriteOp.Create("node", "n1", "{}")]));
        }

        Assert.Null(await Store.GetAsync("node", "n1"));
        Assert.Equal(0, Store.CurrentRevision);
    }

    [Fact]
    public async Task A_commit_under_a_released_term_or_a_lease_never_taken_is_refused()
    {
        var lease = await Leases.TryAcquireAsync("leader", "a", LongTerm);
        await Leases.ReleaseAsync("leader", "a", lease.Token);

        using (StoreFence.Enter(new Fence("leader", lease.Token)))
        {
            await Assert.ThrowsAsync<FencedOutException>(() => Store.CommitAsync([WriteOp.Create("node", "n1", "{}")]));
        }
        using (StoreFence.Enter(new Fence("never-taken", 1)))
        {
            await Assert.ThrowsAsync<FencedOutException>(() => Store.CommitAsync([WriteOp.Create("node", "n1", "{}")]));
        }

        Assert.Null(await Store.GetAsync("node", "n1"));
    }

    [Fact]
    public async Task Commits_without_a_fence_apply_whoever_holds_the_lease()
    {
        var lease = await Leases.TryAcquireAsync("leader", "a", ShortTerm);
        await _underTest.LetTimePassAsync(PastExpiry);
        await Leases.TryAcquireAsync("leader", "b", LongTerm);

        using (StoreFence.Enter(new Fence("leader", lease.Token)))
        {
        }
        var revision = await Store.CommitAsync([WriteOp.Create("node", "n1", "{}")]);

        Assert.Null(StoreFence.Current);
        Assert.Equal(revision, (await Store.GetAsync("node", "n1"))!.Version);
    }
}
