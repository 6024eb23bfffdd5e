using Chas.Contracts;
using Chas.Server.Controllers;

namespace Chas.Server.Tests;

public class DeploymentPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> NoDraining = [];

    private static DeploymentResource Deployment(int replicas, int revision = 1, int surge = 1, int unavailable = 0) => new()
    {
        Name = "web", Replicas = replicas, Revision = revision, MaxSurge = surge, MaxUnavailable = unavailable,
        RolloutStartedAt = Now, ProgressDeadlineSeconds = 60,
    };

    private static TaskResource Instance(int revision, bool ready = true, TaskPhase status = TaskPhase.Running, string node = "n1", int age = 0) => new()
    {
        Name = $"web-{revision}-{Guid.NewGuid().ToString("N")[..5]}", Deployment = "web", Revision = revision, Node = node,
        Status = status, Ready = ready && status == TaskPhase.Running, CreatedAt = Now.AddSeconds(-age),
    };

    [Fact]
    public void An_empty_deployment_creates_all_its_replicas()
    {
        var plan = DeploymentPlanner.Plan(Deployment(3), [], NoDraining, Now);
        Assert.Equal((3, 0, 0), (plan.Create, plan.Stop.Count, plan.Delete.Count));
    }

    [Fact]
    public void A_new_revision_surges_one_and_stops_no_ready_old_instance_yet()
    {
        var old = Enumerable.Range(0, 3).Select(_ => Instance(1)).ToList();
        var plan = DeploymentPlanner.Plan(Deployment(3, revision: 2), old, NoDraining, Now);
        Assert.Equal(1, plan.Create);
        Assert.Empty(plan.Stop);
    }

    [Fact]
    public void Once_a_new_instance_is_ready_exactly_one_old_one_may_stop()
    {
        var instances = Enumerable.Range(0, 3).Select(i => Instance(1, age: 10 + i)).Append(Instance(2)).ToList();
        var plan = DeploymentPlanner.Plan(Deployment(3, revision: 2), instances, NoDraining, Now);
        var stopped = Assert.Single(plan.Stop);
        Assert.Equal(1, stopped.Revision);
        Assert.Equal(instances.Where(i => i.Revision == 1).MaxBy(i => Now - i.CreatedAt)!.Name, stopped.Name);
        Assert.Equal(0, plan.Create);
    }

    [Fact]
    public void Old_instances_that_are_not_ready_go_at_once()
    {
        var instances = new[] { Instance(1), Instance(1, ready: false), Instance(1, status: TaskPhase.Starting) };
        var plan = DeploymentPlanner.Plan(Deployment(3, revision: 2), instances, NoDraining, Now);
        Assert.Equal(2, plan.Stop.Count);
        Assert.All(plan.Stop, s => Assert.False(s.Ready));
    }

    [Fact]
    public void Max_unavailable_lets_an_old_instance_go_first_when_surge_is_zero()
    {
        var old = Enumerable.Range(0, 3).Select(_ => Instance(1)).ToList();
        var plan = DeploymentPlanner.Plan(Deployment(3, revision: 2, surge: 0, unavailable: 1), old, NoDraining, Now);
        Assert.Equal((0, 1), (plan.Create, plan.Stop.Count));
    }

    [Fact]
    public void Scale_down_stops_not_ready_instances_first_then_the_newest()
    {
        var instances = new[] { Instance(1, age: 30), Instance(1, age: 20), Instance(1, ready: false, age: 40), Instance(1, age: 10) };
        var plan = DeploymentPlanner.Plan(Deployment(2), instances, NoDraining, Now);
        Assert.Equal(2, plan.Stop.Count);
        Assert.False(plan.Stop[0].Ready);
        Assert.Equal(instances[3].Name, plan.Stop[1].Name);
    }

    [Fact]
    public void Ended_instances_are_forgotten_and_replaced()
    {
        var instances = new[] { Instance(1), Instance(1), Instance(1, status: TaskPhase.Lost) };
        var plan = DeploymentPlanner.Plan(Deployment(3), instances, NoDraining, Now);
        Assert.Equal(1, plan.Create);
        Assert.Equal(TaskPhase.Lost, Assert.Single(plan.Delete).Status);
    }

    [Fact]
    public void Instances_on_a_draining_node_are_replaced_before_they_stop()
    {
        var instances = new[] { Instance(1, node: "a"), Instance(1, node: "b"), Instance(1, node: "c") };
        var first = DeploymentPlanner.Plan(Deployment(3), instances, new HashSet<string> { "a" }, Now);
        Assert.Equal((1, 0), (first.Create, first.Stop.Count));
        var withReplacement = instances.Append(Instance(1, node: "b")).ToList();
        var second = DeploymentPlanner.Plan(Deployment(3), withReplacement, new HashSet<string> { "a" }, Now);
        Assert.Equal("a", Assert.Single(second.Stop).Node);
    }

    [Fact]
    public void A_rollout_past_its_deadline_fails_and_then_creates_nothing_more()
    {
        var instances = Enumerable.Range(0, 3).Select(_ => Instance(1)).Append(Instance(2, ready: false)).ToList();
        var late = Now.AddSeconds(61);
        var plan = DeploymentPlanner.Plan(Deployment(3, revision: 2), instances, NoDraining, late);
        Assert.Equal(RolloutStates.Failed, plan.Status!.RolloutStatus);
        Assert.Equal(0, plan.Create);
        Assert.DoesNotContain(plan.Stop, s => s.Ready);
        var after = DeploymentPlanner.Plan(plan.Status, instances, NoDraining, late.AddSeconds(5));
        Assert.Equal(0, after.Create);
        Assert.DoesNotContain(after.Stop, s => s.Ready);
    }

    [Fact]
    public void A_deployment_with_every_instance_current_and_ready_is_complete()
    {
        var instances = Enumerable.Range(0, 2).Select(_ => Instance(1)).ToList();
        var plan = DeploymentPlanner.Plan(Deployment(2), instances, NoDraining, Now);
        Assert.Equal((RolloutStates.Complete, 2), (plan.Status!.RolloutStatus, plan.Status.ReadyReplicas));
    }
}
