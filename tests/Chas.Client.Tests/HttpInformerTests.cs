using Chas.Client.Informers;
using Chas.Contracts;

namespace Chas.Client.Tests;

/// <summary>The task informer over the real client, SSE parsing included, against Kestrel on 127.0.0.1.</summary>
public sealed class HttpInformerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Over_HTTP_a_dropped_stream_is_listed_again_and_a_task_deleted_meanwhile_is_delivered()
    {
        await using var server = await FakeApiServer.StartAsync();
        server.Put("web-1");
        server.Put("web-2");
        using var client = new ChasClient(server.Url, "token");
        var deleted = new List<string>();
        var syncs = 0;
        await using var informer = new Informer<TaskResource>(TaskSource.For(client));
        informer.AddHandler(new InformerHandler<TaskResource>
        {
            Deleted = (t, _) => { lock (deleted) deleted.Add(t.Name); return ValueTask.CompletedTask; },
            Synced = (_, _) => { Interlocked.Increment(ref syncs); return ValueTask.CompletedTask; },
        });
        informer.Start();
        await informer.WaitForSyncAsync();
        Assert.Equal(["web-1", "web-2"], informer.List().Select(t => t.Name).Order());

        // Live events through the stream, from the listed revision.
        server.Put("web-1", TaskPhase.Running);
        var running = await informer.WaitForAsync(t => t.Name == "web-1" && t.Status == TaskPhase.Running, Timeout);
        Assert.Equal(103, running.ResourceVersion);
        Assert.Equal(102L, server.WatchedFrom[0]);

        // The server drops the stream; web-2 is deleted and web-3 created before the informer lists again
        // (it pauses first), so only the new list can tell it.
        server.DropStreams();
        server.Delete("web-2");
        server.Put("web-3");

        await informer.WaitUntilAsync(ts => ts.Select(t => t.Name).Order().SequenceEqual(["web-1", "web-3"]), Timeout);
        await Eventually.UntilAsync(() => server.OpenStreams == 1, "watching again");
        lock (deleted) Assert.Equal(["web-2"], deleted);
        Assert.True(Volatile.Read(ref syncs) >= 2, "the informer should have listed again");
        Assert.Equal(105L, server.WatchedFrom[^1]);
    }

    [Fact]
    public async Task Over_HTTP_a_410_for_a_compacted_revision_leads_to_a_new_list()
    {
        await using var server = await FakeApiServer.StartAsync();
        server.Put("a");
        // Every revision up to the current one is compacted: the first watch is refused; after the next change,
        // a new list's revision is served.
        server.CompactedBelow = 102;
        using var client = new ChasClient(server.Url, "token");
        var interruptions = new List<InformerInterruption>();
        await using var informer = new Informer<TaskResource>(TaskSource.For(client));
        informer.Interrupted += i => { lock (interruptions) interruptions.Add(i); };
        informer.Start();
        await Eventually.UntilAsync(() => { lock (interruptions) return interruptions.Count >= 1; }, "the 410 is heard");
        server.Put("b");

        await informer.WaitForAsync(t => t.Name == "b", Timeout);
        await Eventually.UntilAsync(() => server.OpenStreams == 1, "watching");
        lock (interruptions) Assert.All(interruptions, i => Assert.Equal(InterruptionKind.RevisionGone, i.Kind));
        Assert.Equal(101L, server.WatchedFrom[0]);
        Assert.Equal(102L, server.WatchedFrom[^1]);
    }
}
