using Chas.Contracts;

namespace Chas.Contracts.Tests;

public class ValidationTests
{
    private static CreateTaskRequest Valid => new() { Name = "hello", Image = "busybox:latest", Command = ["echo", "hi"] };

    [Fact]
    public void A_valid_request_has_no_errors() => Assert.True(Validate.Task(Valid).IsEmpty);

    [Theory]
    [InlineData("Bad_Name")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("UPPER")]
    [InlineData("dots.not.allowed")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")] // 64 chars
    public void Names_must_be_dns_labels(string name)
    {
        var errors = Validate.Task(Valid with { Name = name }).ToDictionary();
        Assert.True(errors.ContainsKey("name"), string.Join(",", errors.Keys));
    }

    [Fact]
    public void Missing_name_and_empty_image_name_their_fields()
    {
        var errors = Validate.Task(Valid with { Name = null, Image = " " }).ToDictionary();
        Assert.Equal(["image", "name"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(-1L, null, "cpuMillis")]
    [InlineData(Validate.MaxCpuMillis + 1, null, "cpuMillis")]
    [InlineData(null, -5L, "memoryBytes")]
    [InlineData(null, 1024L, "memoryBytes")]
    [InlineData(null, (64L << 40) + 1, "memoryBytes")]
    public void Negative_or_absurd_resources_are_rejected(long? cpu, long? memory, string field)
    {
        var errors = Validate.Task(Valid with { CpuMillis = cpu, MemoryBytes = memory }).ToDictionary();
        Assert.True(errors.ContainsKey(field));
    }

    [Fact]
    public void Port_errors_point_at_the_offending_entry()
    {
        var errors = Validate.Task(Valid with
        {
            Ports = [new PortMapping { ContainerPort = 80 }, new PortMapping { ContainerPort = 70000 }, new PortMapping { ContainerPort = 53, Protocol = "sctp" }],
        }).ToDictionary();
        Assert.Equal(["ports[1].containerPort", "ports[2].protocol"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Env_names_must_be_identifiers()
    {
        var errors = Validate.Task(Valid with { Env = new Dictionary<string, string> { ["OK_1"] = "x", ["1BAD"] = "y" } }).ToDictionary();
        Assert.Equal(["env.1BAD"], errors.Keys);
    }

    [Fact]
    public void Node_registration_requires_capacity_and_a_reachable_agent_url()
    {
        var errors = Validate.Node(new RegisterNodeRequest { Name = "n1", Address = "127.0.0.1", AgentUrl = "not a url" }).ToDictionary();
        Assert.Equal(["agentUrl", "capacity"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Errors_read_as_one_line() =>
        Assert.Equal("image: must not be empty", Validate.Task(Valid with { Image = "" }).ToString());
}
