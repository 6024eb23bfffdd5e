using Chas.Store.ContractTests;

namespace Chas.Store.Postgres.Tests;

/// <summary>
/// Several servers on one database, committing at once: every server's watchers must see every revision
/// exactly once, in order, with no gap, whichever server committed it. This is what a sequence-based
/// revision would break (a late committer's lower revision appears after a poller moved past it).
/// </summary>
public sealed class PostgresConcurrentWatchTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int Servers = 3;
    private const int CommittersPerServer = 4;
    private const int CommitsPerCommitter = 25;
    private const int TotalCommits = Servers * CommittersPerServer * CommitsPerCommitter;

    [Fact]
    public async Task Every_watcher_on_every_server_sees_every_commit_once_in_order_without_gaps()
    {
        var options = await postgres.NewOptionsAsync();
        var stores = new List<PostgresObjectStore>();
        try
        {
            for (var i = 0; i < Servers; i++) stores.Add(await PostgresObjectStore.OpenAsync(options));
            var watches = stores.Select(store => store.WatchAsync(null, 0).TakeAsync(TotalCommits * 2, TimeSpan.FromSeconds(120))).ToList();
            await Eventually.UntilAsync(() => stores.All(store => store.Hub.SubscriberCount == 1), TimeSpan.FromSeconds(10), "every watch to register");

            // Two objects per commit, so that a watcher receiving half a commit would show.
            var acknowledged = await Task.WhenAll(stores.SelectMany((store, server) => Enumerable.Range(0, CommittersPerServer)
                .Select(committer => Task.Run(async () =>
                {
                    var revisions = new List<(long Revision, string Key)>();
                    for (var i = 0; i < CommitsPerCommitter; i++)
                    {
                        var key = $"s{server}-c{committer}-{i}";
                        var revision = await store.CommitAsync([WriteOp.Create("item", key, "{}"), WriteOp.Create("copy", key, "{}")]);
                        revisions.Add((revision, key));
                    }
                    return revisions;
                }))));

            var expected = acknowledged.SelectMany(revisions => revisions).OrderBy(commit => commit.Revision).ToList();
            Assert.Equal(Enumerable.Range(1, TotalCommits).Select(i => (long)i), expected.Select(commit => commit.Revision));
            foreach (var watch in watches)
            {
                var seen = await watch;
                Assert.Equal(expected.SelectMany(commit => new[] { (commit.Revision, "item", commit.Key), (commit.Revision, "copy", commit.Key) }),
                    seen.Select(change => (change.Revision, change.Kind, change.Key)));
            }
            Assert.All(stores, store => Assert.Equal(TotalCommits, store.CurrentRevision));
        }
        finally
        {
            foreach (var store in stores) await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_commit_on_one_server_is_in_its_own_hub_when_it_returns_and_reaches_the_others()
    {
        var options = await postgres.NewOptionsAsync();
        await using var writer = await PostgresObjectStore.OpenAsync(options);
        await using var other = await PostgresObjectStore.OpenAsync(options);

        var revision = await writer.CommitAsync([WriteOp.Create("node", "n1", "{}")]);

        // Read your own writes: no wait on the committing server.
        Assert.Equal(revision, writer.CurrentRevision);
        await Eventually.UntilAsync(() => other.CurrentRevision == revision, TimeSpan.FromSeconds(10), "the other server's feed to publish the commit");
        var change = Assert.Single(await other.WatchAsync(null, 0).TakeAsync(1));
        Assert.Equal((1L, "n1"), (change.Revision, change.Key));
    }
}
