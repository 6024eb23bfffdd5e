using Chas.Client.Informers;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Client.Tests;

public sealed class InformerGroupTests
{
    [Fact]
    public async Task Many_changes_wake_the_reader_once_and_only_changes_that_matter_count()
    {
        var time = new FakeTimeProvider();
        var items = new FakeSource();
        var nodes = new FakeSource();
        nodes.Put(new Item("n1", Node: "10.0.0.1"));
        await using var group = new InformerGroup();
        var itemInformer = group.Add(new Informer<Item>(items, new InformerOptions { Time = time }));
        // For nodes only the address (kept in Node here) matters: a heartbeat-like change does not wake the reader.
        var nodeInformer = group.Add(new Informer<Item>(nodes, new InformerOptions { Time = time }), (old, current) => old?.Node != current?.Node);
        Assert.False(group.HasSynced);
        group.Start();
        await group.WaitForSyncAsync();
        Assert.True(group.HasSynced);
        await Eventually.UntilAsync(() => items.OpenStreams == 1 && nodes.OpenStreams == 1, "both watch");
        await group.WaitForChangeAsync(CancellationToken.None); // the lists

        nodes.Put(new Item("n1", Node: "10.0.0.1", Generation: 2));
        await Eventually.UntilAsync(() => nodeInformer.Get("n1")!.Generation == 2, "the heartbeat is read");
        using (var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => group.WaitForChangeAsync(quiet.Token));

        items.Put(new Item("a"));
        items.Put(new Item("b"));
        nodes.Put(new Item("n1", Node: "10.0.0.2", Generation: 3));
        await Eventually.UntilAsync(() => itemInformer.List().Count == 2 && nodeInformer.Get("n1")!.Generation == 3, "the changes are read");
        await group.WaitForChangeAsync(CancellationToken.None);
        using var drained = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => group.WaitForChangeAsync(drained.Token));
    }
}
