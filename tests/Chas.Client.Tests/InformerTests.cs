using System.Net;
using Chas.Client.Informers;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Client.Tests;

public sealed class InformerTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);
    private readonly FakeTimeProvider _time = new();
    private readonly FakeSource _source = new();
    private readonly Recorder _recorder = new();
    private readonly List<InformerInterruption> _interruptions = [];

    private Informer<Item> Create(InformerOptions? options = null)
    {
        var informer = new Informer<Item>(_source, options ?? new InformerOptions { Time = _time, Random = new Random(7) });
        informer.AddHandler(_recorder.Handler());
        informer.Interrupted += i => { lock (_interruptions) _interruptions.Add(i); };
        return informer;
    }

    private IReadOnlyList<InformerInterruption> Interruptions() { lock (_interruptions) return [.. _interruptions]; }

    [Fact]
    public async Task Lists_then_watches_from_the_listed_revision_and_delivers_changes_in_order()
    {
        _source.Put(new Item("a"));
        _source.Put(new Item("b"));
        await using var informer = Create();
        informer.Start();
        await informer.WaitForSyncAsync();
        await Eventually.UntilAsync(() => _source.OpenStreams == 1, "the watch is open");
        Assert.Equal([12L], _source.WatchedFrom);
        Assert.Equal(["added a", "added b", "synced 2 first"], _recorder.Calls);

        _recorder.Clear();
        _source.Put(new Item("c"));
        _source.Put(new Item("a", Generation: 2));
        _source.Delete("b");
        await Eventually.UntilAsync(() => _recorder.Calls.Count == 3, "three changes heard");

        Assert.Equal(["added c", "updated a 1→2", "deleted b"], _recorder.Calls);
        Assert.Equal(["a", "c"], informer.List().Select(i => i.Name).Order());
        Assert.Equal(2, informer.Get("a")!.Generation);
        Assert.Equal(15, informer.Revision);
        Assert.Equal(1, _source.Lists);
    }

    [Fact]
    public async Task A_dropped_stream_lists_again_and_delivers_what_changed_during_the_gap_deletes_included()
    {
        _source.Put(new Item("kept"));
        _source.Put(new Item("changed"));
        _source.Put(new Item("vanished"));
        await using var informer = Create();
        informer.Start();
        await Eventually.UntilAsync(() => _source.OpenStreams == 1, "the watch is open");
        _recorder.Clear();

        // The stream breaks; while nobody listens, the server changes, adds and deletes.
        _source.EndStreams(new IOException("connection reset"));
        _source.Put(new Item("changed", Generation: 2));
        _source.Put(new Item("new"));
        _source.Delete("vanished");

        await Eventually.UntilAsync(() => _source.Lists == 2 && _source.OpenStreams == 1, "listed and watching again", _time, Step);

        var calls = _recorder.Calls;
        Assert.Contains("updated changed 1→2", calls);
        Assert.Contains("added new", calls);
        Assert.Contains("deleted vanished", calls);
        Assert.DoesNotContain(calls, c => c.StartsWith("added kept", StringComparison.Ordinal));
        Assert.Equal("synced 3", calls[^1]);
        Assert.Equal(["changed", "kept", "new"], informer.List().Select(i => i.Name).Order());
        Assert.Equal(InterruptionKind.Failed, Assert.Single(Interruptions()).Kind);
        Assert.Equal(16L, _source.WatchedFrom[^1]);
    }

    [Fact]
    public async Task With_resume_after_break_a_broken_stream_is_watched_again_from_the_last_revision_without_a_list()
    {
        _source.Put(new Item("a"));
        await using var informer = Create(new InformerOptions { Time = _time, Random = new Random(7), ResumeAfterBreak = true });
        informer.Start();
        await Eventually.UntilAsync(() => _source.OpenStreams == 1, "the watch is open");
        _recorder.Clear();

        _source.EndStreams(new IOException("dropped for falling behind"));
        _source.Put(new Item("b"));
        _source.Delete("a");
        await Eventually.UntilAsync(() => informer.List() is [{ Name: "b" }], "the gap's changes are replayed", _time, Step);

        Assert.Equal(1, _source.Lists);
        Assert.Equal([11L, 11L], _source.WatchedFrom);
        Assert.Equal(["added b", "deleted a"], _recorder.Calls);
        Assert.Equal(InterruptionKind.Failed, Assert.Single(Interruptions()).Kind);

        // A 410 still lists: the revision to resume from is gone.
        _source.GoneOnNextWatch();
        _source.EndStreams();
        await Eventually.UntilAsync(() => _source.Lists == 2 && _source.OpenStreams == 1, "listed and watching again", _time, Step);
    }

    [Fact]
    public async Task A_stream_the_server_ends_cleanly_is_listed_again()
    {
        _source.Put(new Item("a"));
        await using var informer = Create();
        informer.Start();
        await Eventually.UntilAsync(() => _source.OpenStreams == 1, "the watch is open");

        _source.EndStreams();
        _source.Delete("a");
        await Eventually.UntilAsync(() => informer.List().Count == 0, "the deletion is seen through the list", _time, Step);

        Assert.Equal(InterruptionKind.StreamEnded, Interruptions()[0].Kind);
        Assert.Contains("deleted a", _recorder.Calls);
    }

    [Fact]
    public async Task A_compacted_revision_410_makes_the_informer_list_again()
    {
        _source.Put(new Item("a"));
        _source.GoneOnNextWatch();
        await using var informer = Create();
        informer.Start();

        await Eventually.UntilAsync(() => _source.OpenStreams == 1, "watching after the second list", _time, Step);

        Assert.Equal(2, _source.Lists);
        var gone = Assert.Single(Interruptions());
        Assert.Equal(InterruptionKind.RevisionGone, gone.Kind);
        Assert.Equal(HttpStatusCode.Gone, Assert.IsType<ChasApiException>(gone.Error).Status);
        Assert.Equal(["added a", "synced 1 first", "updated a 1→1", "synced 1"], _recorder.Calls);
    }

    [Fact]
    public async Task A_stream_silent_past_the_stall_timeout_is_given_up_but_bookmarks_keep_it_alive()
    {
        await using var informer = Create();
        informer.Start();
        await Eventually.UntilAsync(() => _source.OpenStreams == 1, "the watch is open");

        // Bookmarks every 20 s: never 35 s of silence.
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(20));
            _source.Bookmark();
            var expected = 11 + i;
            await Eventually.UntilAsync(() => informer.Revision == expected, "the bookmark is read");
        }
        _source.Put(new Item("a"));
        await Eventually.UntilAsync(() => informer.Get("a") is not null, "the change is read");
        Assert.Equal(1, _source.Lists);
        Assert.Empty(Interruptions());

        _time.Advance(TimeSpan.FromSeconds(35));
        await Eventually.UntilAsync(() => Interruptions().Count == 1, "the stall is noticed");
        Assert.Equal(InterruptionKind.Stalled, Interruptions()[0].Kind);
        await Eventually.UntilAsync(() => _source.Lists == 2 && _source.OpenStreams == 1, "listed and watching again", _time, Step);
    }

    [Fact]
    public async Task Pauses_double_with_bounded_jitter_and_start_over_after_a_successful_list()
    {
        _source.FailNextLists(8);
        await using var informer = Create();
        informer.Start();
        await Eventually.UntilAsync(() => informer.HasSynced, "listed at last", _time, Step);

        var pauses = Interruptions().Select(i => i.RetryIn.TotalMilliseconds).ToArray();
        double[] bases = [100, 200, 400, 800, 1600, 3200, 5000, 5000];
        Assert.Equal(bases.Length, pauses.Length);
        for (var i = 0; i < bases.Length; i++)
            Assert.InRange(pauses[i], bases[i], bases[i] * 1.2);
        Assert.True(pauses.Zip(bases).Any(p => p.First > p.Second), "jitter should stretch some pauses");

        // After the successful list the next break waits the initial pause again.
        await Eventually.UntilAsync(() => _source.OpenStreams == 1, "the watch is open", _time, Step);
        _source.EndStreams();
        await Eventually.UntilAsync(() => Interruptions().Count == 9, "the break is noticed");
        Assert.InRange(Interruptions()[8].RetryIn.TotalMilliseconds, 100, 120);
    }

    [Fact]
    public void The_same_seed_gives_the_same_pauses_and_reset_starts_over()
    {
        var one = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), 0.2, new Random(3));
        var two = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), 0.2, new Random(3));
        var first = Enumerable.Range(0, 10).Select(_ => one.Next()).ToArray();
        Assert.Equal(first, Enumerable.Range(0, 10).Select(_ => two.Next()));
        Assert.All(first[6..], p => Assert.InRange(p.TotalMilliseconds, 5000, 6000));
        one.Reset();
        Assert.InRange(one.Next().TotalMilliseconds, 100, 120);
    }

    [Fact]
    public async Task Indexes_follow_every_change()
    {
        _source.Put(new Item("a", "n1"));
        _source.Put(new Item("b", "n1"));
        _source.Put(new Item("c", "n2"));
        await using var informer = Create();
        informer.Cache.AddIndex("node", item => item.Node);
        informer.Start();
        await informer.WaitForSyncAsync();
        Assert.Equal(["a", "b"], informer.ByIndex("node", "n1").Select(i => i.Name).Order());

        _source.Put(new Item("b", "n2", 2));
        _source.Delete("c");
        _source.Put(new Item("d"));
        await Eventually.UntilAsync(() => informer.Get("d") is not null, "the changes are read");

        Assert.Equal(["a"], informer.ByIndex("node", "n1").Select(i => i.Name));
        Assert.Equal(["b"], informer.ByIndex("node", "n2").Select(i => i.Name));
        Assert.Empty(informer.ByIndex("node", "n3"));
        Assert.Equal(["n1", "n2"], informer.Cache.IndexValues("node").Order());

        // An index added later covers what is cached already; an unknown index is a mistake, not an empty answer.
        informer.Cache.AddIndex("generation", item => [item.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture), "any"]);
        Assert.Equal(["b"], informer.ByIndex("generation", "2").Select(i => i.Name));
        Assert.Equal(3, informer.ByIndex("generation", "any").Count);
        Assert.Throws<ArgumentException>(() => informer.ByIndex("zone", "z1"));
    }

    [Fact]
    public async Task Handlers_hear_list_differences_before_synced_unless_they_reconcile_whole_lists()
    {
        _source.Put(new Item("a"));
        var reconciler = new Recorder();
        await using var informer = Create();
        informer.AddHandler(reconciler.Handler(listDifferences: false));
        informer.Start();
        await Eventually.UntilAsync(() => _source.OpenStreams == 1, "the watch is open");
        _source.Put(new Item("b"));
        await Eventually.UntilAsync(() => reconciler.Calls.Count == 2, "the watch event is heard");

        Assert.Equal(["added a", "synced 1 first", "added b"], _recorder.Calls);
        Assert.Equal(["synced 1 first", "added b"], reconciler.Calls);
    }

    [Fact]
    public async Task A_handler_that_throws_makes_the_informer_list_again()
    {
        var failures = 1;
        await using var informer = Create();
        informer.AddHandler(new InformerHandler<Item>
        {
            Added = (_, _) => Interlocked.Decrement(ref failures) >= 0 ? throw new InvalidOperationException("handler broke") : ValueTask.CompletedTask,
        });
        informer.Start();
        await Eventually.UntilAsync(() => _source.OpenStreams == 1, "the watch is open");
        _source.Put(new Item("a"));

        await Eventually.UntilAsync(() => _source.Lists == 2 && _source.OpenStreams == 1, "listed again", _time, Step);
        Assert.Equal("handler broke", Interruptions()[0].Error!.Message);
        Assert.NotNull(informer.Get("a"));
    }

    [Fact]
    public async Task WaitForAsync_returns_the_object_once_it_matches_and_times_out_on_the_informers_clock()
    {
        await using var informer = Create(new InformerOptions { Time = TimeProvider.System });
        informer.Start();
        var waiting = informer.WaitForAsync(i => i.Generation == 2, TimeSpan.FromSeconds(10));
        await informer.WaitForSyncAsync();
        _source.Put(new Item("a"));
        _source.Put(new Item("a", Generation: 2));
        Assert.Equal(new Item("a", Generation: 2), await waiting);

        await Assert.ThrowsAsync<TimeoutException>(() => informer.WaitForAsync(i => i.Name == "never", TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task A_filtered_source_turns_an_object_that_stops_matching_into_a_deletion()
    {
        _source.Put(new Item("a", "n1"));
        _source.Put(new Item("b"));
        await using var informer = new Informer<Item>(_source.Where(i => i.Node is not null), new InformerOptions { Time = _time });
        informer.AddHandler(_recorder.Handler());
        informer.Start();
        await Eventually.UntilAsync(() => _source.OpenStreams == 1, "the watch is open");
        Assert.Equal(["a"], informer.List().Select(i => i.Name));

        _source.Put(new Item("a", null, 2));
        _source.Put(new Item("c", "n1"));
        await Eventually.UntilAsync(() => informer.Get("c") is not null, "the changes are read");
        Assert.Null(informer.Get("a"));
        Assert.Equal(["added a", "synced 1 first", "deleted a", "added c"], _recorder.Calls);
    }
}
