namespace Chas.Store.ContractTests;

/// <summary>
/// What every <see cref="IObjectStore"/> must do with reads and commits: versions, conditional writes,
/// atomic commits, revisions, restarts. An engine's test project derives from this class and says how
/// to create its store; the watch side is <see cref="ObjectStoreWatchContractTests"/>.
/// </summary>
public abstract class ObjectStoreContractTests : IAsyncLifetime
{
    private IStoreUnderTest _underTest = null!;

    protected IObjectStore Store => _underTest.Store;

    /// <summary>A new, empty store on storage of its own.</summary>
    protected abstract Task<IStoreUnderTest> CreateStoreAsync(StoreContractSettings settings);

    public async Task InitializeAsync() => _underTest = await CreateStoreAsync(new StoreContractSettings());

    public async Task DisposeAsync() => await _underTest.DisposeAsync();

    [Fact]
    public async Task Created_objects_can_be_got_and_listed_with_the_commit_revision_as_version()
    {
        var first = await Store.CommitAsync([WriteOp.Create("node", "b", """{"n":"b"}""")]);
        var second = await Store.CommitAsync([WriteOp.Create("node", "a", """{"n":"a"}"""), WriteOp.Create("task", "t", "{}")]);

        Assert.Equal(1, first);
        Assert.Equal(2, second);
        Assert.Equal(new StoredObject("node", "b", 1, """{"n":"b"}"""), await Store.GetAsync("node", "b"));
        Assert.Null(await Store.GetAsync("node", "missing"));

        var nodes = await Store.ListAsync("node");
        Assert.Equal(2, nodes.Revision);
        Assert.Equal(["a", "b"], nodes.Items.Select(item => item.Key));
        Assert.Equal([2L, 1L], nodes.Items.Select(item => item.Version));
        Assert.Empty((await Store.ListAsync("route")).Items);
    }

    [Fact]
    public async Task Update_with_the_current_version_succeeds_and_sets_the_new_revision_as_version()
    {
        var created = await Store.CommitAsync([WriteOp.Create("node", "n1", "{\"v\":1}")]);

        var updated = await Store.CommitAsync([WriteOp.Update("node", "n1", created, "{\"v\":2}")]);

        Assert.Equal(new StoredObject("node", "n1", updated, "{\"v\":2}"), await Store.GetAsync("node", "n1"));
    }

    [Fact]
    public async Task Update_with_a_stale_version_conflicts_and_writes_nothing()
    {
        var created = await Store.CommitAsync([WriteOp.Create("node", "n1", "{\"v\":1}")]);
        var updated = await Store.CommitAsync([WriteOp.Update("node", "n1", created, "{\"v\":2}")]);

        var conflict = await Assert.ThrowsAsync<ConflictException>(
            () => Store.CommitAsync([WriteOp.Update("node", "n1", created, "{\"v\":3}")]));

        Assert.Equal(("node", "n1", created, (long?)updated),
            (conflict.Kind, conflict.Key, conflict.ExpectedVersion, conflict.ActualVersion));
        Assert.Equal("{\"v\":2}", (await Store.GetAsync("node", "n1"))!.Json);
        Assert.Equal(updated, Store.CurrentRevision);
    }

    [Fact]
    public async Task Create_of_an_existing_object_conflicts()
    {
        await Store.CommitAsync([WriteOp.Create("node", "n1", "{}")]);

        var conflict = await Assert.ThrowsAsync<ConflictException>(() => Store.CommitAsync([WriteOp.Create("node", "n1", "{}")]));

        Assert.Equal(1, conflict.ActualVersion);
        Assert.Contains("already exists", conflict.Message);
    }

    [Fact]
    public async Task Update_of_a_missing_object_conflicts_unless_unconditional()
    {
        await Assert.ThrowsAsync<ConflictException>(() => Store.CommitAsync([WriteOp.Update("node", "n1", 7, "{}")]));

        var revision = await Store.CommitAsync([WriteOp.Update("node", "n1", WriteOp.AnyVersion, "{}")]);

        Assert.Equal(revision, (await Store.GetAsync("node", "n1"))!.Version);
    }

    [Fact]
    public async Task A_commit_with_one_conflicting_write_applies_none_and_publishes_nothing()
    {
        var created = await Store.CommitAsync([WriteOp.Create("node", "a", "{\"v\":1}")]);
        await Store.CommitAsync([WriteOp.Update("node", "a", created, "{\"v\":2}")]);

        await Assert.ThrowsAsync<ConflictException>(() => Store.CommitAsync(
        [
            WriteOp.Create("node", "b", "{}"),
            WriteOp.Update("node", "a", created, "{\"v\":3}"),
        ]));

        Assert.Null(await Store.GetAsync("node", "b"));
        Assert.Equal("{\"v\":2}", (await Store.GetAsync("node", "a"))!.Json);
        Assert.Equal(2, Store.CurrentRevision);
        // The next change a watch sees after revision 2 is the marker: the failed commit left no event.
        await Store.CommitAsync([WriteOp.Create("node", "marker", "{}")]);
        var next = Assert.Single(await Store.WatchAsync(null, 2).TakeAsync(1));
        Assert.Equal((3L, "marker"), (next.Revision, next.Key));
    }

    [Fact]
    public async Task Delete_removes_the_object_and_checks_its_version()
    {
        var created = await Store.CommitAsync([WriteOp.Create("node", "n1", "{}")]);
        await Assert.ThrowsAsync<ConflictException>(() => Store.CommitAsync([WriteOp.Delete("node", "n1", created + 5)]));

        await Store.CommitAsync([WriteOp.Delete("node", "n1", created)]);

        Assert.Null(await Store.GetAsync("node", "n1"));
        Assert.Empty((await Store.ListAsync("node")).Items);
    }

    [Fact]
    public async Task Unconditional_delete_of_a_missing_object_conflicts()
    {
        var conflict = await Assert.ThrowsAsync<ConflictException>(() => Store.CommitAsync([WriteOp.Delete("node", "ghost")]));

        Assert.Null(conflict.ActualVersion);
        Assert.Equal(0, Store.CurrentRevision);
    }

    [Fact]
    public async Task Malformed_commits_are_rejected_before_touching_the_database()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync([]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync(
            [WriteOp.Create("node", "n1", "{}"), WriteOp.Update("node", "n1", WriteOp.AnyVersion, "{}")]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync([WriteOp.Create("node", "", "{}")]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync([new WriteOp("node", "n1", WriteOp.MustNotExist, null)]));

        Assert.Equal(0, Store.CurrentRevision);
    }

    [Fact]
    public async Task Data_and_revision_survive_reopening()
    {
        await Store.CommitAsync([WriteOp.Create("node", "n1", "{\"v\":1}")]);
        var last = await Store.CommitAsync([WriteOp.Create("node", "n2", "{\"v\":2}")]);

        await _underTest.ReopenAsync();
        await _underTest.ReopenAsync();

        Assert.Equal(last, Store.CurrentRevision);
        Assert.Equal(new StoredObject("node", "n1", 1, "{\"v\":1}"), await Store.GetAsync("node", "n1"));
        Assert.Equal(last, (await Store.ListAsync("node")).Revision);
        Assert.Equal(last + 1, await Store.CommitAsync([WriteOp.Create("node", "n3", "{}")]));
    }

    [Fact]
    public async Task Revisions_strictly_increase_by_one_per_commit()
    {
        var revisions = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            revisions.Add(await Store.CommitAsync([WriteOp.Update("counter", "c", WriteOp.AnyVersion, $"{i}")]));
        }

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), revisions);
        Assert.Equal(20, Store.CurrentRevision);
    }

    [Fact]
    public async Task Concurrent_optimistic_increments_lose_no_update()
    {
        const int Writers = 8;
        const int IncrementsEach = 25;
        await Store.CommitAsync([WriteOp.Create("counter", "c", "0")]);

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < IncrementsEach; i++)
            {
                await IncrementWithRetryAsync();
            }
        })));

        var counter = await Store.GetAsync("counter", "c");
        Assert.Equal(Writers * IncrementsEach, int.Parse(counter!.Json));
        Assert.Equal(1 + Writers * IncrementsEach, Store.CurrentRevision);
    }

    private async Task IncrementWithRetryAsync()
    {
        while (true)
        {
            var current = (await Store.GetAsync("counter", "c"))!;
            try
            {
                await Store.CommitAsync([WriteOp.Update("counter", "c", current.Version, $"{int.Parse(current.Json) + 1}")]);
                return;
            }
            catch (ConflictException)
            {
                // Someone else incremented first: read again and retry, as every optimistic writer does.
            }
        }
    }
}
