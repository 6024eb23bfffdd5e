using Chas.Store.ContractTests;

namespace Chas.Store.Tests;

public sealed class WatchHubTests
{
    [Fact]
    public async Task A_commit_reaches_a_lagging_watcher_whole_or_not_at_all()
    {
        var hub = new WatchHub(startRevision: 0, subscriberBufferSize: 3);
        hub.Publish(Change(1, "a"));
        await using var watch = hub.Subscribe(null, 0).GetAsyncEnumerator();
        // Served from the history, so the watch is registered and nothing waits in its buffer.
        Assert.True(await watch.MoveNextAsync());

        hub.Publish([Change(2, "b"), Change(2, "c")]);
        hub.Publish([Change(3, "d"), Change(3, "e")]); // 2 waiting + 2 > 3: dropped before any of it

        Assert.Equal(0, hub.SubscriberCount);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal("b", watch.Current.Key);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal("c", watch.Current.Key);
        await Assert.ThrowsAsync<WatchOverflowException>(async () => await watch.MoveNextAsync());
    }

    [Fact]
    public async Task A_commit_larger_than_the_buffer_still_reaches_a_caught_up_watcher()
    {
        var hub = new WatchHub(startRevision: 0, subscriberBufferSize: 2);
        var watch = hub.Subscribe(null, 0).TakeAsync(5);

        hub.Publish(Enumerable.Range(0, 5).Select(i => Change(1, $"k{i}")).ToList());

        Assert.Equal(5, (await watch.Soon()).Count);
    }

    [Fact]
    public async Task Publishing_to_a_watcher_that_never_reads_does_not_block()
    {
        var hub = new WatchHub(startRevision: 0, historySize: 50, subscriberBufferSize: 10);
        await using var watch = hub.Subscribe(null, 0).GetAsyncEnumerator();
        var pending = watch.MoveNextAsync();

        for (var revision = 1; revision <= 1_000; revision++)
        {
            hub.Publish(Change(revision, "k"));
        }

        Assert.Equal(0, hub.SubscriberCount);
        Assert.Equal(1_000, hub.LastRevision);
        Assert.Equal(950, hub.OldestWatchableRevision);
        await Assert.ThrowsAsync<WatchOverflowException>(async () =>
        {
            while (await pending.Soon())
            {
                pending = watch.MoveNextAsync();
            }
        });
    }

    [Fact]
    public async Task A_new_hub_serves_watches_from_its_start_revision_on()
    {
        var hub = new WatchHub(startRevision: 10);

        var tooOld = await Assert.ThrowsAsync<RevisionTooOldException>(() => hub.Subscribe(null, 9).TakeAsync(1));
        var watch = hub.Subscribe(null, 10).TakeAsync(1);
        hub.Publish(Change(11, "k"));

        Assert.Equal(10, tooOld.Oldest);
        Assert.Equal(11, Assert.Single(await watch.Soon()).Revision);
    }

    [Fact]
    public void Publish_rejects_out_of_order_and_mixed_revision_commits()
    {
        var hub = new WatchHub(startRevision: 5);

        Assert.Throws<ArgumentException>(() => hub.Publish(Change(5, "k")));
        Assert.Throws<ArgumentException>(() => hub.Publish([Change(6, "a"), Change(7, "b")]));
        Assert.Throws<ArgumentException>(() => hub.Publish([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => hub.Subscribe(null, -1));
    }

    [Fact]
    public async Task A_busy_log_kind_does_not_push_other_kinds_out_of_the_history()
    {
        var hub = new WatchHub(startRevision: 0, historySize: 10, separateHistoryKinds: new HashSet<string> { "events" });
        hub.Publish(Change(1, "task-a"));
        for (var revision = 2; revision <= 100; revision++)
        {
            hub.Publish(Change(revision, $"event-{revision}", "events"));
        }
        hub.Publish([Change(101, "task-b"), Change(101, "event-101", "events")]);

        var items = await hub.Subscribe(new HashSet<string> { "item" }, 0).TakeAsync(2).Soon();
        Assert.Equal(["task-a", "task-b"], items.Select(c => c.Key));
        Assert.Equal(0, hub.OldestWatchableRevisionOf(new HashSet<string> { "item" }));

        // The log itself, and a watch of everything, keep only what the log's own history covers.
        var tooOld = await Assert.ThrowsAsync<RevisionTooOldException>(() => hub.Subscribe(null, 0).TakeAsync(1));
        Assert.Equal(91, tooOld.Oldest);
        Assert.Equal(91, hub.OldestWatchableRevisionOf(new HashSet<string> { "events" }));
    }

    [Fact]
    public async Task A_watch_of_every_kind_replays_both_histories_in_revision_order()
    {
        var hub = new WatchHub(startRevision: 0, historySize: 10, separateHistoryKinds: new HashSet<string> { "events" });
        hub.Publish(Change(1, "a"));
        hub.Publish([Change(2, "b"), Change(2, "e2", "events")]);
        hub.Publish(Change(3, "e3", "events"));
        hub.Publish(Change(4, "c"));

        var all = await hub.Subscribe(null, 0).TakeAsync(5).Soon();

        Assert.Equal([1L, 2, 2, 3, 4], all.Select(c => c.Revision));
        Assert.Equal(["a", "b", "e2", "e3", "c"], all.Select(c => c.Key));
    }

    private static ChangeEvent Change(long revision, string key, string kind = "item") => new(revision, ChangeType.Added, kind, key, "{}");
}
