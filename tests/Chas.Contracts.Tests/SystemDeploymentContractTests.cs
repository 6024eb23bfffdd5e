using System.Text.Json;
using Chas.Contracts;

namespace Chas.Contracts.Tests;

public class SystemDeploymentContractTests
{
    private static ApplyDeploymentRequest System => new() { Name = "edge", Image = "busybox", Mode = DeploymentMode.System };

    [Fact]
    public void A_deployment_stored_before_modes_existed_reads_as_replicated()
    {
        var stored = """{"name":"web","replicas":3,"template":{"image":"nginx"},"revision":1}""";
        var deployment = JsonSerializer.Deserialize(stored, ChasJsonContext.Default.DeploymentResource)!;
        Assert.Equal(DeploymentMode.Replicated, deployment.Mode);
        Assert.Equal(3, deployment.Replicas);
        var task = JsonSerializer.Deserialize("""{"name":"web-1-abcde","deployment":"web"}""", ChasJsonContext.Default.TaskResource)!;
        Assert.Null(task.PinnedNode);
    }

    [Fact]
    public void Modes_travel_by_their_wire_names()
    {
        var json = JsonSerializer.Serialize(new DeploymentResource { Name = "edge", Mode = DeploymentMode.System }, ChasJsonContext.Default.DeploymentResource);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("system", doc.RootElement.GetProperty("mode").GetString());
        Assert.Equal("replicated", DeploymentMode.Replicated.ToWire());
    }

    [Fact]
    public void A_system_deployment_without_replicas_is_valid_and_one_with_them_is_refused_naming_replicas()
    {
        Assert.True(Validate.Deployment(System).IsEmpty);
        var errors = Validate.Deployment(System with { Replicas = 3 }).ToDictionary();
        Assert.True(errors.ContainsKey("replicas"), string.Join(",", errors.Keys));
    }

    [Fact]
    public void A_system_rollout_may_not_have_both_budgets_at_zero_but_may_leave_surge_out()
    {
        Assert.True(Validate.Deployment(System with { MaxSurge = 0 }).IsEmpty);
        Assert.True(Validate.Deployment(System with { MaxUnavailable = 0, MaxSurge = 1 }).IsEmpty);
        Assert.True(Validate.Deployment(System with { MaxUnavailable = 0 }).ToDictionary().ContainsKey("maxUnavailable"));
    }

    [Fact]
    public void A_node_runs_a_system_deployment_only_when_ready_schedulable_and_matching()
    {
        var selector = new Dictionary<string, string> { ["role"] = "edge" };
        var edge = new NodeResource { Name = "n", Status = NodeStatus.Ready, Labels = new Dictionary<string, string> { ["role"] = "edge", ["zone"] = "x" } };
        Assert.True(SystemDeployments.RunsOn(selector, edge));
        Assert.False(SystemDeployments.RunsOn(selector, edge with { Status = NodeStatus.NotReady }));
        Assert.False(SystemDeployments.RunsOn(selector, edge with { Unschedulable = true }));
        Assert.False(SystemDeployments.RunsOn(selector, edge with { Draining = true }));
        Assert.False(SystemDeployments.RunsOn(selector, edge with { Labels = new Dictionary<string, string> { ["role"] = "Edge" } }));
        Assert.True(SystemDeployments.RunsOn(new Dictionary<string, string>(), edge with { Labels = new Dictionary<string, string>() }));
    }
}
