using Chas.Contracts;
using Chas.Server.Controllers;
using Chas.Server.State;
using Chas.Store;
using Chas.Store.Sqlite;

namespace Chas.Server.Tests;

/// <summary>
/// The scheduler places the next batch while the previous one commits; these are the rules that keep that safe:
/// batches reach the store one at a time and in order, and a batch whose predecessor failed never does.
/// </summary>
public class CommitPipelineTests
{
    [Fact]
    public async Task A_batch_is_sent_only_after_the_one_before_it_committed()
    {
        var pipeline = new CommitPipeline();
        var first = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = new List<int>();

        await pipeline.SubmitAsync(() => { sent.Add(1); return first.Task; });
        var second = pipeline.SubmitAsync(() => { sent.Add(2); return Task.FromResult(8L); });

        Assert.False(second.IsCompleted);
        Assert.Equal([1], sent);
        first.SetResult(7);
        await second;
        Assert.Equal([1, 2], sent);
        Assert.Equal(8, await pipeline.DrainAsync());
    }

    [Fact]
    public async Task A_failed_batch_keeps_every_later_one_from_the_store()
    {
        var pipeline = new CommitPipeline();
        var sent = new List<int>();
        await pipeline.SubmitAsync(() => { sent.Add(1); return Task.FromException<long>(new ConflictException("tasks", "default/a", 3, 4)); });

        await Assert.ThrowsAsync<ConflictException>(() => pipeline.SubmitAsync(() => { sent.Add(2); return Task.FromResult(9L); }));
        await pipeline.AbandonAsync();

        Assert.Equal([1], sent);
    }

    [Fact]
    public async Task Draining_reports_the_last_commit_and_a_failure_in_flight()
    {
        var empty = new CommitPipeline();
        Assert.Null(await empty.DrainAsync());

        var pipeline = new CommitPipeline();
        await pipeline.SubmitAsync(() => Task.FromResult(5L));
        await pipeline.SubmitAsync(() => Task.FromException<long>(new ConflictException("nodeallocations", "cluster", 5, 6)));
        await Assert.ThrowsAsync<ConflictException>(() => pipeline.DrainAsync());
    }

    [Fact]
    public async Task Abandoning_waits_for_the_batch_in_flight_and_swallows_its_failure()
    {
        var pipeline = new CommitPipeline();
        var inFlight = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await pipeline.SubmitAsync(() => inFlight.Task);

        var abandoned = pipeline.AbandonAsync();
        Assert.False(abandoned.IsCompleted);
        inFlight.SetException(new IOException("disk gone"));
        await abandoned;
        Assert.Null(await pipeline.DrainAsync());
    }

    [Fact]
    public async Task Two_bind_commits_decided_on_the_same_allocation_token_cannot_both_win()
    {
        var dir = Directory.CreateTempSubdirectory("chas-token-");
        try
        {
            await using var store = await SqliteObjectStore.OpenAsync(new SqliteStoreOptions { DatabasePath = Path.Combine(dir.FullName, "chas.db") });
            var tasks = new TaskStore(store);
            var a = await tasks.CreateAsync(new TaskResource { Name = "a", Image = "x", Status = TaskPhase.Pending });
            var b = await tasks.CreateAsync(new TaskResource { Name = "b", Image = "x", Status = TaskPhase.Pending });

            // Two schedulers read the same state (no token yet) and each binds a different task to the same node.
            WriteOp[] Bind(TaskResource task) =>
            [
                tasks.Write(task with { Status = TaskPhase.Scheduled, Node = "n1" }),
                new WriteOp(TaskSchedulingController.AllocationKind, TaskSchedulingController.AllocationToken, WriteOp.MustNotExist, "{}"),
            ];
            await store.CommitAsync(Bind(a));
            await Assert.ThrowsAsync<ConflictException>(() => store.CommitAsync(Bind(b)));

            Assert.Equal(TaskPhase.Pending, (await tasks.GetAsync(Namespaces.Default, "b"))!.Status);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_store_hands_back_the_object_it_wrote_and_parses_anything_else()
    {
        var dir = Directory.CreateTempSubdirectory("chas-decode-");
        try
        {
            await using var store = await SqliteObjectStore.OpenAsync(new SqliteStoreOptions { DatabasePath = Path.Combine(dir.FullName, "chas.db") });
            var tasks = new TaskStore(store);
            var task = new TaskResource { Name = "a", Image = "x", Status = TaskPhase.Scheduled, Node = "n1", Env = new Dictionary<string, string> { ["K"] = "V" } };
            var json = tasks.Serialize(task);

            var reused = tasks.Deserialize(json, 12);
            var parsed = tasks.Deserialize(new string(json.AsSpan()), 12);

            Assert.Same(task.Env, reused.Env);
            Assert.NotSame(task.Env, parsed.Env);
            Assert.Equal(12, reused.ResourceVersion);
            Assert.Equal(tasks.Serialize(reused), tasks.Serialize(parsed));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
