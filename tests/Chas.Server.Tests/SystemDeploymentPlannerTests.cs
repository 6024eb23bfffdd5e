using Chas.Contracts;
using Chas.Server.Controllers;

namespace Chas.Server.Tests;

public class SystemDeploymentPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DeploymentResource Edge(int revision = 1, int unavailable = 1, int surge = 0, Dictionary<string, string>? selector = null) => new()
    {
        Name = "edge", Mode = DeploymentMode.System, Revision = revision, MaxSurge = surge, MaxUnavailable = unavailable,
        Template = new WorkloadTemplate { Image = "busybox", NodeSelector = selector ?? new Dictionary<string, string>() },
        RolloutStartedAt = Now, ProgressDeadlineSeconds = 60,
    };

    private static NodeResource Node(string name, string? role = null, NodeStatus status = NodeStatus.Ready, bool cordoned = false, bool draining = false) => new()
    {
        Name = name, Status = status, Unschedulable = cordoned || draining, Draining = draining,
        Labels = role is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["role"] = role },
    };

    private static TaskResource On(string node, int revision = 1, bool ready = true, TaskPhase status = TaskPhase.Running, bool stopping = false) => new()
    {
        Name = $"edge-{revision}-{Guid.NewGuid().ToString("N")[..5]}", Deployment = "edge", Revision = revision, PinnedNode = node, Node = node,
        Status = status, Ready = ready && status == TaskPhase.Running, StopRequested = stopping, CreatedAt = Now,
    };

    private static readonly Dictionary<string, string> EdgeOnly = new() { ["role"] = "edge" };

    [Fact]
    public void Every_matching_node_gets_exactly_one_instance_and_the_others_none()
    {
        NodeResource[] nodes = [Node("a", "edge"), Node("b", "worker"), Node("c", "edge")];
        var plan = SystemDeploymentPlanner.Plan(Edge(selector: EdgeOnly), [], nodes, Now);
        Assert.Equal(["a", "c"], plan.CreateOn);
        Assert.Equal(0, plan.Create);
        Assert.Equal(2, plan.Status!.Replicas);
    }

    [Fact]
    public void A_node_that_is_not_ready_cordoned_or_draining_gets_none()
    {
        NodeResource[] nodes = [Node("a"), Node("b", status: NodeStatus.NotReady), Node("c", cordoned: true), Node("d", draining: true)];
        var plan = SystemDeploymentPlanner.Plan(Edge(), [], nodes, Now);
        Assert.Equal(["a"], plan.CreateOn);
    }

    [Fact]
    public void A_settled_deployment_does_nothing_and_is_complete()
    {
        var deployment = Edge();
        var plan = SystemDeploymentPlanner.Plan(deployment, [On("a"), On("b")], [Node("a"), Node("b")], Now);
        Assert.Empty(plan.CreateOn);
        Assert.Empty(plan.Stop);
        Assert.Equal(RolloutStates.Complete, plan.Status!.RolloutStatus);
        Assert.Equal((2, 2, 2), (plan.Status.Replicas, plan.Status.ReadyReplicas, plan.Status.UpdatedReplicas));
        var again = SystemDeploymentPlanner.Plan(plan.Status, [On("a"), On("b")], [Node("a"), Node("b")], Now);
        Assert.Null(again.Status);
    }

    [Fact]
    public void A_node_that_joins_gets_one_and_keeps_the_others_as_they_are()
    {
        var plan = SystemDeploymentPlanner.Plan(Edge(), [On("a"), On("b")], [Node("a"), Node("b"), Node("c")], Now);
        Assert.Equal(["c"], plan.CreateOn);
        Assert.Empty(plan.Stop);
    }

    [Fact]
    public void A_node_that_leaves_or_stops_matching_loses_its_instance()
    {
        TaskResource onA = On("a"), onB = On("b"), onGone = On("gone");
        // b's label changed from edge to worker; "gone" was removed from the cluster.
        var plan = SystemDeploymentPlanner.Plan(Edge(selector: EdgeOnly), [onA, onB, onGone], [Node("a", "edge"), Node("b", "worker")], Now);
        Assert.Equal(new[] { onB.Name, onGone.Name }.Order(StringComparer.Ordinal), plan.Stop.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Empty(plan.CreateOn);
        Assert.Equal(1, plan.Status!.Replicas);
    }

    [Fact]
    public void Cordoning_or_draining_a_node_stops_its_instance()
    {
        TaskResource onA = On("a"), onB = On("b");
        var plan = SystemDeploymentPlanner.Plan(Edge(), [onA, onB], [Node("a", cordoned: true), Node("b", draining: true)], Now);
        Assert.Equal(2, plan.Stop.Count);
    }

    [Fact]
    public void A_failed_instance_is_forgotten_and_replaced_on_the_same_node()
    {
        var failed = On("b", status: TaskPhase.Failed);
        var plan = SystemDeploymentPlanner.Plan(Edge(), [On("a"), failed], [Node("a"), Node("b")], Now);
        Assert.Equal(failed.Name, Assert.Single(plan.Delete).Name);
        Assert.Equal(["b"], plan.CreateOn);
    }

    [Fact]
    public void A_second_instance_on_one_node_is_stopped_keeping_the_ready_one()
    {
        TaskResource ready = On("a"), extra = On("a", ready: false);
        var plan = SystemDeploymentPlanner.Plan(Edge(), [extra, ready], [Node("a")], Now);
        Assert.Equal(extra.Name, Assert.Single(plan.Stop).Name);
    }

    [Fact]
    public void A_new_revision_stops_one_node_first_and_starts_nothing_until_that_old_instance_has_ended()
    {
        var old = new[] { On("a"), On("b"), On("c") };
        NodeResource[] nodes = [Node("a"), Node("b"), Node("c")];
        var first = SystemDeploymentPlanner.Plan(Edge(revision: 2), old, nodes, Now);
        Assert.Equal(old[0].Name, Assert.Single(first.Stop).Name);
        Assert.Empty(first.CreateOn);

        // The old instance on a is stopping: a is the one node out, so b and c wait, and a gets nothing yet.
        var stoppingA = old[0] with { StopRequested = true };
        var second = SystemDeploymentPlanner.Plan(Edge(revision: 2), [stoppingA, old[1], old[2]], nodes, Now);
        Assert.Empty(second.Stop);
        Assert.Empty(second.CreateOn);

        // It has ended: the new revision starts on a, and still nothing else moves.
        var third = SystemDeploymentPlanner.Plan(Edge(revision: 2), [stoppingA with { Status = TaskPhase.Stopped }, old[1], old[2]], nodes, Now);
        Assert.Equal(["a"], third.CreateOn);
        Assert.Empty(third.Stop);

        // Not ready yet: b still waits.
        var startingA = On("a", revision: 2, ready: false, status: TaskPhase.Starting);
        Assert.Empty(SystemDeploymentPlanner.Plan(Edge(revision: 2), [startingA, old[1], old[2]], nodes, Now).Stop);

        // Ready: now b's old instance goes, and only b's.
        var fourth = SystemDeploymentPlanner.Plan(Edge(revision: 2), [On("a", revision: 2), old[1], old[2]], nodes, Now);
        Assert.Equal(old[1].Name, Assert.Single(fourth.Stop).Name);
        Assert.Equal(RolloutStates.Progressing, fourth.Status!.RolloutStatus);
    }

    [Fact]
    public void Max_unavailable_two_updates_two_nodes_at_once()
    {
        var old = new[] { On("a"), On("b"), On("c") };
        var plan = SystemDeploymentPlanner.Plan(Edge(revision: 2, unavailable: 2), old, [Node("a"), Node("b"), Node("c")], Now);
        Assert.Equal(2, plan.Stop.Count);
    }

    [Fact]
    public void With_max_surge_the_new_instance_starts_beside_the_old_one_which_stops_once_it_is_ready()
    {
        var oldA = On("a");
        var first = SystemDeploymentPlanner.Plan(Edge(revision: 2, unavailable: 0, surge: 1), [oldA, On("b")], [Node("a"), Node("b")], Now);
        Assert.Equal(["a"], first.CreateOn);
        Assert.Empty(first.Stop);

        var newA = On("a", revision: 2);
        var second = SystemDeploymentPlanner.Plan(Edge(revision: 2, unavailable: 0, surge: 1), [oldA, newA, On("b")], [Node("a"), Node("b")], Now);
        Assert.Equal(oldA.Name, Assert.Single(second.Stop).Name);
    }

    [Fact]
    public void A_node_whose_old_instance_is_not_ready_is_updated_without_waiting_for_the_budget()
    {
        var broken = On("b", ready: false);
        var plan = SystemDeploymentPlanner.Plan(Edge(revision: 2), [On("a"), broken], [Node("a"), Node("b")], Now);
        // a is ready and b already serves nobody: with one node allowed out, b goes and a stays.
        Assert.Equal(broken.Name, Assert.Single(plan.Stop).Name);
    }

    [Fact]
    public void A_rollout_past_its_deadline_fails_and_updates_no_further_node()
    {
        var startingA = On("a", revision: 2, ready: false, status: TaskPhase.Starting);
        var old = new[] { On("b"), On("c") };
        var plan = SystemDeploymentPlanner.Plan(Edge(revision: 2), [startingA, .. old], [Node("a"), Node("b"), Node("c")], Now.AddMinutes(5));
        Assert.Equal(RolloutStates.Failed, plan.Status!.RolloutStatus);
        var after = SystemDeploymentPlanner.Plan(plan.Status, [On("a", revision: 2), .. old], [Node("a"), Node("b"), Node("c")], Now.AddMinutes(6));
        Assert.Empty(after.Stop);
    }

    [Fact]
    public void A_node_joining_long_after_the_rollout_does_not_fail_it()
    {
        var complete = Edge() with { RolloutStatus = RolloutStates.Complete };
        var plan = SystemDeploymentPlanner.Plan(complete, [On("a")], [Node("a"), Node("b")], Now.AddHours(1));
        Assert.Equal(RolloutStates.Progressing, plan.Status!.RolloutStatus);
        Assert.Equal(["b"], plan.CreateOn);
    }
}
