using System.Collections.Concurrent;
using System.Net;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Faults.Tests;

/// <summary>kill -9 of the leading server while clients create in parallel through all three servers.</summary>
public sealed class LeaderKillTests(ITestOutputHelper output) : FaultTest(output)
{
    private const int Creates = 1000;
    private const int Parallelism = 24;
    private const int KillAfterAcknowledged = 250;

    [Fact]
    public async Task Killing_the_leader_during_parallel_creates_loses_no_acknowledged_write_and_a_new_leader_schedules()
    {
        var cluster = await StartClusterAsync(agents: 1);
        var node = cluster.Agents[0].NodeName;
        await cluster.Client.ApplyDeploymentAsync(Deployment("kept", 3));
        var before = await WaitForRunningInstancesAsync(cluster.Client, "kept", 3, TimeSpan.FromSeconds(60));
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));

        // One plain client per server (no failover): a create counts as acknowledged only when a server said 2xx.
        var clients = cluster.Servers.Select(s => new ChasClient(s.Url, cluster.AdminToken)).ToList();
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var unexpected = new ConcurrentQueue<string>();
        var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = -1;
        var clock = StartClock();

        async Task CreateAllAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Creates)
            {
                var name = $"burst-{i:D4}";
                // Each create goes to the next server; a failed one is tried once on another, as a client would.
                for (var attempt = 0; attempt < 2; attempt++)
                {
                    try
                    {
                        var created = await clients[(i + attempt) % clients.Count].CreateTaskAsync(PendingTask(name));
                        acknowledged[name] = created.Uid;
                        if (acknowledged.Count >= KillAfterAcknowledged) killNow.TrySetResult();
                        break;
                    }
                    catch (HttpRequestException)
                    {
                        // The killed server: refused or reset. Not acknowledged; it may or may not exist.
                    }
                    catch (ChasApiException ex) when (ex.Status is HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable)
                    {
                        // Conflict: the first try reached the store after all. 503: the answer is "not done".
                        break;
                    }
                    catch (ChasApiException ex)
                    {
                        unexpected.Enqueue($"{name}: {(int)ex.Status} {ex.Message}");
                        break;
                    }
                }
            }
        }

        var writers = Enumerable.Range(0, Parallelism).Select(_ => Task.Run(CreateAllAsync)).ToList();
        await killNow.Task.WaitAsync(TimeSpan.FromSeconds(120));
        await leader.KillAsync();
        var killedAt = clock.Elapsed;
        var survivors = cluster.Servers.Where(s => s != leader).ToList();
        var newLeader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), survivors);
        var elected = clock.Elapsed - killedAt;
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(180));
        foreach (var client in clients) client.Dispose();
        Assert.Empty(unexpected);
        Assert.True(acknowledged.Count >= KillAfterAcknowledged, $"only {acknowledged.Count} creates were acknowledged");
        Report("kill -9 leader", "a new leader is elected", $"{newLeader.Description}", elected);

        using var survivor = new ChasClient(newLeader.Url, cluster.AdminToken);
        var tasks = (await survivor.ListTasksAsync()).Items;
        var burst = tasks.Where(t => t.Name.StartsWith("burst-", StringComparison.Ordinal)).ToList();
        Assert.Empty(burst.GroupBy(t => (t.Namespace, t.Name)).Where(g => g.Count() > 1).Select(g => g.Key));
        var byName = burst.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var lost = acknowledged.Where(a => !byName.TryGetValue(a.Key, out var stored) || stored.Uid != a.Value).Select(a => a.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Empty(lost);
        Report("kill -9 leader", $"{acknowledged.Count} acknowledged creates of {Creates} exist once", $"0 lost, 0 duplicated ({burst.Count} stored)", clock.Elapsed);

        // The new leader schedules: work submitted after the kill runs on the real agent.
        var submitted = clock.Elapsed;
        await survivor.CreateTaskAsync(RunningTask("after-kill"));
        await WaitForTaskAsync(survivor, "after-kill", TaskPhase.Running, TimeSpan.FromSeconds(30));
        Report("kill -9 leader", "a task submitted after the kill runs", "running", clock.Elapsed - submitted);

        // The deployment from before keeps exactly its instances: the new leader adopts them, it does not add more.
        var uids = before.Select(t => t.Uid).Order(StringComparer.Ordinal).ToList();
        var after = await WaitForRunningInstancesAsync(survivor, "kept", 3, TimeSpan.FromSeconds(30));
        Assert.Equal(uids, after.Select(t => t.Uid).Order(StringComparer.Ordinal));
        var running = await RunningContainerUidsAsync([node]);
        Assert.Equal(uids, running.Where(uids.Contains).Order(StringComparer.Ordinal));
        Assert.Equal(4, running.Count);
        Report("kill -9 leader", "deployment of 3 keeps its instances", "3 running, 0 duplicated", clock.Elapsed - submitted);
    }
}
