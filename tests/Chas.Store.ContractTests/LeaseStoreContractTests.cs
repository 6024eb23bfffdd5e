namespace Chas.Store.ContractTests;

/// <summary>
/// What every <see cref="ILeaseStore"/> must do: one holder at a time, terms that expire, tokens that grow with
/// every new holder. The store under test must implement <see cref="ILeaseStore"/>. Spans are short enough
/// for an engine on the database's clock to wait them out (see <see cref="IStoreUnderTest.LetTimePassAsync"/>).
/// </summary>
public abstract class LeaseStoreContractTests : IAsyncLifetime
{
    /// <summary>A term that outlives any test.</summary>
    protected static readonly TimeSpan LongTerm = TimeSpan.FromMinutes(5);
    /// <summary>A term a test lets expire.</summary>
    protected static readonly TimeSpan ShortTerm = TimeSpan.FromMilliseconds(400);
    /// <summary>Waited beyond a term to be sure it is over, whatever the rounding of the engine's clock.</summary>
    protected static readonly TimeSpan PastExpiry = ShortTerm + TimeSpan.FromMilliseconds(200);

    private IStoreUnderTest _underTest = null!;

    protected IStoreUnderTest UnderTest => _underTest;

    protected ILeaseStore Leases => _underTest.Store as ILeaseStore
        ?? throw new InvalidOperationException($"{_underTest.Store.GetType().Name} is no ILeaseStore");

    /// <summary>A new, empty store on storage of its own.</summary>
    protected abstract Task<IStoreUnderTest> CreateStoreAsync(StoreContractSettings settings);

    public async Task InitializeAsync() => _underTest = await CreateStoreAsync(new StoreContractSettings());

    public async Task DisposeAsync() => await _underTest.DisposeAsync();

    [Fact]
    public async Task A_free_lease_is_taken_with_a_positive_token_and_a_future_expiry()
    {
        Assert.Null(await Leases.GetAsync("leader"));

        var taken = await Leases.TryAcquireAsync("leader", "a", LongTerm);

        Assert.Equal(("leader", "a"), (taken.Name, taken.Holder));
        Assert.True(taken.Token > 0, $"token {taken.Token}");
        Assert.Equal(taken, await Leases.GetAsync("leader"));
        Assert.Null(await Leases.GetAsync("other"));
    }

    [Fact]
    public async Task A_second_holder_is_refused_while_the_term_lasts()
    {
        var first = await Leases.TryAcquireAsync("leader", "a", LongTerm);

        var refused = await Leases.TryAcquireAsync("leader", "b", LongTerm);

        Assert.Equal(first, refused);
        Assert.Equal("a", (await Leases.GetAsync("leader"))!.Holder);
    }

    [Fact]
    public async Task The_holder_taking_its_lease_again_keeps_the_token_and_extends_the_term()
    {
        var first = await Leases.TryAcquireAsync("leader", "a", ShortTerm);

        var again = await Leases.TryAcquireAsync("leader", "a", LongTerm);

        Assert.Equal(("a", first.Token), (again.Holder, again.Token));
        Assert.True(again.ExpiresAt > first.ExpiresAt, $"{again.ExpiresAt:O} is not after {first.ExpiresAt:O}");
        await UnderTest.LetTimePassAsync(PastExpiry);
        Assert.Equal("a", (await Leases.TryAcquireAsync("leader", "b", LongTerm)).Holder);
    }

    [Fact]
    public async Task After_expiry_another_holder_takes_the_lease_with_a_larger_token()
    {
        var first = await Leases.TryAcquireAsync("leader", "a", ShortTerm);
        await UnderTest.LetTimePassAsync(PastExpiry);

        var second = await Leases.TryAcquireAsync("leader", "b", LongTerm);

        Assert.Equal("b", second.Holder);
        Assert.True(second.Token > first.Token, $"token {second.Token} is not larger than {first.Token}");
        Assert.False(await Leases.RenewAsync("leader", "a", first.Token, LongTerm));
        Assert.Equal(second, await Leases.GetAsync("leader"));
    }

    [Fact]
    public async Task Renewing_extends_the_term_so_another_holder_is_still_refused()
    {
        var first = await Leases.TryAcquireAsync("leader", "a", ShortTerm);

        Assert.True(await Leases.RenewAsync("leader", "a", first.Token, LongTerm));
        await UnderTest.LetTimePassAsync(PastExpiry);

        var refused = await Leases.TryAcquireAsync("leader", "b", LongTerm);
        Assert.Equal(("a", first.Token), (refused.Holder, refused.Token));
        Assert.False(await Leases.RenewAsync("leader", "b", first.Token, LongTerm));
        Assert.False(await Leases.RenewAsync("leader", "a", first.Token + 1, LongTerm));
    }

    [Fact]
    public async Task Release_lets_another_holder_take_the_lease_at_once()
    {
        var first = await Leases.TryAcquireAsync("leader", "a", LongTerm);

        await Leases.ReleaseAsync("leader", "a", first.Token);
        var second = await Leases.TryAcquireAsync("leader", "b", LongTerm);

        Assert.Equal("b", second.Holder);
        Assert.True(second.Token > first.Token, $"token {second.Token} is not larger than {first.Token}");
        Assert.False(await Leases.RenewAsync("leader", "a", first.Token, LongTerm));
    }

    [Fact]
    public async Task Release_of_a_term_already_lost_changes_nothing()
    {
        var first = await Leases.TryAcquireAsync("leader", "a", ShortTerm);
        await UnderTest.LetTimePassAsync(PastExpiry);
        var second = await Leases.TryAcquireAsync("leader", "b", LongTerm);

        await Leases.ReleaseAsync("leader", "a", first.Token);

        Assert.Equal(second, await Leases.GetAsync("leader"));
        Assert.True(await Leases.RenewAsync("leader", "b", second.Token, LongTerm));
    }

    [Fact]
    public async Task Leases_of_different_names_are_independent_and_make_no_revision()
    {
        var revision = UnderTest.Store.CurrentRevision;

        var leader = await Leases.TryAcquireAsync("leader", "a", LongTerm);
        var other = await Leases.TryAcquireAsync("other", "b", LongTerm);

        Assert.Equal(("a", "b"), (leader.Holder, other.Holder));
        Assert.Equal(revision, UnderTest.Store.CurrentRevision);
    }
}
