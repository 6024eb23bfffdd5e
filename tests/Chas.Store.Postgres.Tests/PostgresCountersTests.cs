namespace Chas.Store.Postgres.Tests;

/// <summary>Shared counters: two servers on one database count into the same window.</summary>
public sealed class PostgresCountersTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset Window = new(2026, 1, 1, 12, 0, 0, TimeSpan.FromHours(2));

    [Fact]
    public async Task Two_servers_share_one_count_per_key_and_window()
    {
        var options = await postgres.NewOptionsAsync();
        await using var serverA = await PostgresObjectStore.OpenAsync(options);
        await using var serverB = await PostgresObjectStore.OpenAsync(options);

        Assert.Equal(1, await serverA.AddAsync("login:alice", Window, TimeSpan.FromMinutes(1)));
        Assert.Equal(2, await serverB.AddAsync("login:alice", Window, TimeSpan.FromMinutes(1)));
        Assert.Equal(7, await serverA.AddAsync("login:alice", Window, TimeSpan.FromMinutes(1), amount: 5));
        // The same instant in another offset is the same window.
        Assert.Equal(8, await serverB.AddAsync("login:alice", Window.ToUniversalTime(), TimeSpan.FromMinutes(1)));

        Assert.Equal(1, await serverB.AddAsync("login:alice", Window.AddMinutes(1), TimeSpan.FromMinutes(1)));
        Assert.Equal(1, await serverB.AddAsync("login:bob", Window, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Concurrent_adds_from_two_servers_lose_nothing()
    {
        var options = await postgres.NewOptionsAsync();
        await using var serverA = await PostgresObjectStore.OpenAsync(options);
        await using var serverB = await PostgresObjectStore.OpenAsync(options);

        var totals = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            (i % 2 == 0 ? serverA : serverB).AddAsync("api", Window, TimeSpan.FromMinutes(1))));

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), totals.Order());
    }
}
