namespace Chas.Store.ContractTests;

/// <summary>
/// What every <see cref="IObjectStore"/> must do with watches: order, kinds, replay from a revision,
/// the history's edge, restarts, slow and cancelled watchers. An engine's test project derives from
/// this class and says how to create its store.
/// </summary>
public abstract class ObjectStoreWatchContractTests
{
    /// <summary>A new, empty store on storage of its own, set up as <paramref name="settings"/> asks.</summary>
    protected abstract Task<IStoreUnderTest> CreateStoreAsync(StoreContractSettings settings);

    [Fact]
    public async Task Watch_from_a_list_revision_sees_exactly_the_later_changes_in_order()
    {
        await using var subject = await CreateStoreAsync(new StoreContractSettings());
        var store = subject.Store;
        await store.CommitAsync([WriteOp.Create("node", "old", "{}")]);
        var list = await store.ListAsync("node");

        var created = await store.CommitAsync([WriteOp.Create("node", "n1", "{\"v\":1}")]);
        await store.CommitAsync([WriteOp.Update("node", "n1", created, "{\"v\":2}")]);
        await store.CommitAsync([WriteOp.Delete("node", "n1")]);

        var changes = await store.WatchAsync(null, list.Revision).TakeAsync(3);

        Assert.Equal(
        [
            new ChangeEvent(2, ChangeType.Added, "node", "n1", "{\"v\":1}"),
            new ChangeEvent(3, ChangeType.Modified, "node", "n1", "{\"v\":2}"),
            new ChangeEvent(4, ChangeType.Deleted, "node", "n1", "{\"v\":2}"),
        ], changes);
    }

    [Fact]
    public async Task Watch_with_kinds_sees_only_those_kinds_even_within_one_commit()
    {
        await using var subject = await CreateStoreAsync(new StoreContractSettings());
        var store = subject.Store;
        await store.CommitAsync([WriteOp.Create("node", "n1", "{}")]);
        await store.CommitAsync([WriteOp.Create("task", "t1", "{}"), WriteOp.Create("node", "n2", "{}")]);
        await store.CommitAsync([WriteOp.Create("route", "r1", "{}")]);
        await store.CommitAsync([WriteOp.Create("task", "t2", "{}")]);

        var changes = await store.WatchAsync(new HashSet<string> { "task", "route" }, 0).TakeAsync(3);

        Assert.Equal([(2L, "t1"), (3L, "r1"), (4L, "t2")], changes.Select(change => (change.Revision, change.Key)));
    }

    [Fact]
    public async Task Watch_from_a_middle_revision_replays_the_rest_then_continues_live()
    {
        await using var subject = await CreateStoreAsync(new StoreContractSettings { DurableCommits = false });
        var store = subject.Store;
        for (var i = 1; i <= 100; i++)
        {
            await store.CommitAsync([WriteOp.Create("item", $"i{i}", "{}")]);
        }

        await using var watch = store.WatchAsync(null, 50).GetAsyncEnumerator();
        var seen = new List<long>();
        for (var i = 0; i < 50; i++)
        {
            Assert.True(await watch.MoveNextAsync().Soon());
            seen.Add(watch.Current.Revision);
        }
        // The watch is now registered and has drained the history: these arrive live.
        for (var i = 101; i <= 110; i++)
        {
            await store.CommitAsync([WriteOp.Create("item", $"i{i}", "{}")]);
        }
        for (var i = 0; i < 10; i++)
        {
            Assert.True(await watch.MoveNextAsync().Soon());
            seen.Add(watch.Current.Revision);
        }

        Assert.Equal(Enumerable.Range(51, 60).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task List_then_watch_while_writers_run_rebuilds_the_final_state_without_gaps_or_duplicates()
    {
        await using var subject = await CreateStoreAsync(new StoreContractSettings { DurableCommits = false });
        var store = subject.Store;
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Writes before and during the list, and keeps writing for 100 commits after it.
        var writer = Task.Run(async () =>
        {
            var remainingAfterList = 100;
            for (var i = 0; remainingAfterList > 0; i++)
            {
                if (i == 100)
                {
                    halfway.SetResult();
                }
                if (listed.Task.IsCompleted)
                {
                    remainingAfterList--;
                }
                var key = $"k{i % 10}";
                var write = i % 7 == 6 ? WriteOp.Delete("item", key) : WriteOp.Update("item", key, WriteOp.AnyVersion, $"{i}");
                try
                {
                    await store.CommitAsync([write]);
                }
                catch (ConflictException)
                {
                    // Deleting a key that is already gone; the loop just moves on.
                }
            }
        });

        await halfway.Task.Soon();
        var list = await store.ListAsync("item");
        listed.SetResult();
        var state = list.Items.ToDictionary(item => item.Key, item => item.Json);
        await writer;
        var finalRevision = store.CurrentRevision;

        var changes = await store.WatchAsync(null, list.Revision).TakeAsync((int)(finalRevision - list.Revision));
        foreach (var change in changes)
        {
            if (change.Type == ChangeType.Deleted)
            {
                Assert.True(state.Remove(change.Key), $"delete of {change.Key} at {change.Revision} without a prior add");
            }
            else
            {
                Assert.Equal(change.Type == ChangeType.Added, state.TryAdd(change.Key, change.Json));
                state[change.Key] = change.Json;
            }
        }

        Assert.InRange(list.Revision, 1, finalRevision - 1);
        Assert.Equal(Enumerable.Range(1, (int)(finalRevision - list.Revision)).Select(i => list.Revision + i),
            changes.Select(change => change.Revision));
        var final = await store.ListAsync("item");
        Assert.Equal(final.Items.ToDictionary(item => item.Key, item => item.Json), state);
    }

    [Fact]
    public async Task Watch_from_before_the_history_is_too_old_and_from_its_edge_is_fine()
    {
        await using var subject = await CreateStoreAsync(new StoreContractSettings { HistorySize = 10, DurableCommits = false });
        var store = subject.Store;
        for (var i = 1; i <= 30; i++)
        {
            await store.CommitAsync([WriteOp.Create("item", $"i{i}", "{}")]);
        }

        var tooOld = await Assert.ThrowsAsync<RevisionTooOldException>(() => store.WatchAsync(null, 19).TakeAsync(1));
        var fromEdge = await store.WatchAsync(null, 20).TakeAsync(10);

        Assert.Equal((19L, 20L), (tooOld.Requested, tooOld.Oldest));
        Assert.Equal(Enumerable.Range(21, 10).Select(i => (long)i), fromEdge.Select(change => change.Revision));
    }

    [Fact]
    public async Task After_a_restart_only_a_watch_from_the_current_revision_is_possible()
    {
        await using var subject = await CreateStoreAsync(new StoreContractSettings());
        await subject.Store.CommitAsync([WriteOp.Create("item", "a", "{}")]);
        await subject.Store.CommitAsync([WriteOp.Create("item", "b", "{}")]);
        await subject.ReopenAsync();
        var store = subject.Store;

        await Assert.ThrowsAsync<RevisionTooOldException>(() => store.WatchAsync(null, 1).TakeAsync(1));
        var watch = store.WatchAsync(null, 2).TakeAsync(1);
        await store.CommitAsync([WriteOp.Create("item", "c", "{}")]);

        var change = Assert.Single(await watch);
        Assert.Equal((3L, "c"), (change.Revision, change.Key));
    }

    [Fact]
    public async Task A_watcher_that_stops_reading_overflows_while_commits_never_wait_for_it()
    {
        await using var subject = await CreateStoreAsync(new StoreContractSettings { WatchBufferSize = 5, DurableCommits = false });
        var store = subject.Store;
        await using var slow = store.WatchAsync(null, 0).GetAsyncEnumerator();
        var first = slow.MoveNextAsync(); // registers the watch, then the watcher stops reading

        for (var i = 1; i <= 20; i++)
        {
            await store.CommitAsync([WriteOp.Create("item", $"i{i}", "{}")]).Soon();
        }

        Assert.True(await first.Soon());
        var received = new List<long> { slow.Current.Revision };
        await Assert.ThrowsAsync<WatchOverflowException>(async () =>
        {
            while (await slow.MoveNextAsync().Soon())
            {
                received.Add(slow.Current.Revision);
            }
        });
        // What did arrive is a gap-free prefix, so the watcher can resume from its last revision.
        Assert.InRange(received.Count, 1, 19);
        Assert.Equal(Enumerable.Range(1, received.Count).Select(i => (long)i), received);
        Assert.Equal(0, subject.OpenWatchCount);
    }

    [Fact]
    public async Task Cancelling_a_watch_ends_it_quietly_and_unregisters_it()
    {
        await using var subject = await CreateStoreAsync(new StoreContractSettings());
        var store = subject.Store;
        using var cancellation = new CancellationTokenSource();
        await using var watch = store.WatchAsync(null, 0, cancellation.Token).GetAsyncEnumerator();
        var next = watch.MoveNextAsync();
        Assert.Equal(1, subject.OpenWatchCount);

        await cancellation.CancelAsync();

        Assert.False(await next.Soon());
        Assert.Equal(0, subject.OpenWatchCount);
    }

    [Fact]
    public async Task Closing_the_store_ends_open_watches()
    {
        var subject = await CreateStoreAsync(new StoreContractSettings());
        var watch = subject.Store.WatchAsync(null, 0).TakeAsync(1);

        await subject.DisposeAsync();

        Assert.Empty(await watch.Soon());
    }
}
