using Chas.Client;
using Chas.Contracts;

namespace Chas.Faults.Tests;

/// <summary>
/// The leader frozen (SIGSTOP) for longer than its 5 s lease, so that another server takes over, then thawed
/// (SIGCONT): it must notice it was deposed and step down, and nothing it had in hand may be done twice.
/// </summary>
public sealed class DeposedLeaderTests(ITestOutputHelper output) : FaultTest(output)
{
    private const int TasksBefore = 3;
    private const int TasksDuring = 3;

    [Fact]
    public async Task A_leader_paused_past_its_lease_steps_down_when_it_resumes_and_nothing_is_scheduled_twice()
    {
        var cluster = await StartClusterAsync(agents: 1);
        var node = cluster.Agents[0].NodeName;
        var oldLeader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        var oldId = (await cluster.LeadershipOfAsync(oldLeader)).ServerId;
        var others = cluster.Servers.Where(s => s != oldLeader).ToList();
        // A paused server accepts connections and never answers: talk to the others only.
        using var client = new ChasClient(new Chas.Client.Failover.ServerEndpoints(others.Select(s => s.Url)), cluster.AdminToken);

        var names = new List<string>();
        for (var i = 0; i < TasksBefore; i++)
        {
            names.Add($"before-{i}");
            await client.CreateTaskAsync(RunningTask(names[^1]));
        }
        // Freeze it while it may still be placing these: a deposed leader's late writes are what must be refused.
        var clock = StartClock();
        oldLeader.Pause();
        for (var i = 0; i < TasksDuring; i++)
        {
            names.Add($"during-{i}");
            await client.CreateTaskAsync(RunningTask(names[^1]));
        }
        var newLeader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), others);
        var tookOver = clock.Elapsed;
        Assert.NotEqual(oldLeader, newLeader);
        Report("SIGSTOP leader", "another server takes over after the lease", newLeader.Description, tookOver);
        foreach (var name in names) await WaitForTaskAsync(client, name, TaskPhase.Running, TimeSpan.FromSeconds(30));
        var placed = (await client.ListTasksAsync()).Items.Where(t => names.Contains(t.Name)).ToDictionary(t => t.Name, StringComparer.Ordinal);

        var resumed = StartClock();
        oldLeader.Resume();
        var status = await Eventually.GetAsync(() => cluster.LeadershipOfAsync(oldLeader), s => !s.IsLeader && s.Leader is not null && s.Leader != oldId,
            TimeSpan.FromSeconds(15), $"{oldLeader.Description} to step down after SIGCONT", cluster.Diagnostics);
        var steppedDown = resumed.Elapsed;
        Assert.Equal(newLeader, await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal((await cluster.LeadershipOfAsync(newLeader)).ServerId, status.Leader);
        Report("SIGCONT deposed leader", "it steps down; one leader", "not leader", steppedDown);

        // Give the resumed server's stale work time to land (or be refused): the agent's next heartbeats after it woke.
        var since = (await client.GetNodeAsync(node)).LastHeartbeat;
        await Eventually.GetAsync(() => client.GetNodeAsync(node), n => n.LastHeartbeat > since.AddSeconds(1.5), TimeSpan.FromSeconds(15),
            "three more heartbeats after the old leader resumed", cluster.Diagnostics);

        var tasks = (await client.ListTasksAsync()).Items.Where(t => names.Contains(t.Name)).ToList();
        var events = (await client.ListEventsAsync()).Items;
        foreach (var task in tasks)
        {
            Assert.Equal(TaskPhase.Running, task.Status);
            Assert.Equal(placed[task.Name].Node, task.Node);
            Assert.Equal(placed[task.Name].ContainerId, task.ContainerId);
            Assert.Single(await DockerEngine.ContainersOfTaskAsync(task.Uid));
            var scheduled = events.Where(e => e.Kind == EventKinds.Task && e.Name == task.Name && e.Reason == EventReasons.Scheduled).Sum(e => e.Count);
            Assert.Equal(1, scheduled);
        }
        Report("SIGCONT deposed leader", $"{tasks.Count} tasks bound once", "0 scheduled twice", resumed.Elapsed);
    }
}
