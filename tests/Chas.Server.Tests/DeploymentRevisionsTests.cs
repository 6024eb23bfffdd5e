using Chas.Contracts;
using Chas.Server.State;

namespace Chas.Server.Tests;

public sealed class DeploymentRevisionsTests
{
    private static WorkloadTemplate Template(params (string Key, string Value)[] env) => new()
    {
        Image = "web:1",
        Env = env.ToDictionary(e => e.Key, e => e.Value),
    };

    [Fact]
    public void The_same_env_in_another_order_is_the_same_template()
    {
        Assert.True(DeploymentRevisions.SameTemplate(Template(("A", "1"), ("B", "2")), Template(("B", "2"), ("A", "1"))));
    }

    [Fact]
    public void A_changed_value_is_another_template()
    {
        Assert.False(DeploymentRevisions.SameTemplate(Template(("A", "1"), ("B", "2")), Template(("A", "1"), ("B", "3"))));
    }

    [Fact]
    public void Applying_the_same_env_in_another_order_makes_no_new_revision()
    {
        var now = DateTimeOffset.UnixEpoch;
        var request = new ApplyDeploymentRequest { Name = "web", Image = "web:1", Env = new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" } };
        var created = DeploymentRevisions.New("web", Namespaces.Default, request, DeploymentRevisions.TemplateOf(request), now);
        var reordered = request with { Env = new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" } };

        var applied = DeploymentRevisions.Apply(created, reordered, DeploymentRevisions.TemplateOf(reordered), now);

        Assert.Equal(created.Revision, applied.Revision);
    }
}
