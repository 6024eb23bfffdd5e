using Chas.Cli;
using Chas.Contracts;

namespace Chas.Cli.Tests;

public sealed class ProbeFlagsTests
{
    [Fact]
    public void Http_takes_a_port_and_an_optional_path()
    {
        Assert.Equal(new ProbeSpec { Type = ProbeType.Http, Port = 8080, Path = "/healthz" }, ProbeFlags.Parse("http:8080/healthz", "--readiness"));
        Assert.Equal(new ProbeSpec { Type = ProbeType.Http, Port = 80, Path = null }, ProbeFlags.Parse("http:80", "--readiness"));
    }

    [Fact]
    public void Tcp_takes_a_port()
    {
        Assert.Equal(new ProbeSpec { Type = ProbeType.Tcp, Port = 6379 }, ProbeFlags.Parse("tcp:6379", "--liveness"));
    }

    [Fact]
    public void Exec_splits_the_command_on_spaces_keeping_quoted_parts_together()
    {
        var probe = ProbeFlags.Parse("exec:sh -c 'test -f /tmp/ready' \"a b\"", "--readiness")!;

        Assert.Equal(ProbeType.Exec, probe.Type);
        Assert.Equal(["sh", "-c", "test -f /tmp/ready", "a b"], probe.Command);
    }

    [Fact]
    public void The_period_applies_and_everything_else_keeps_the_ProbeSpec_defaults()
    {
        var probe = ProbeFlags.Parse("tcp:80", "--readiness", TimeSpan.FromSeconds(2))!;

        Assert.Equal(2, probe.PeriodSeconds);
        var defaults = new ProbeSpec();
        Assert.Equal(defaults.TimeoutSeconds, probe.TimeoutSeconds);
        Assert.Equal(defaults.FailureThreshold, probe.FailureThreshold);
        Assert.Equal(defaults.SuccessThreshold, probe.SuccessThreshold);
        Assert.Equal(defaults.InitialDelaySeconds, probe.InitialDelaySeconds);
    }

    [Fact]
    public void No_flag_is_no_probe()
    {
        Assert.Null(ProbeFlags.Parse(null, "--readiness"));
    }

    [Theory]
    [InlineData("http")]
    [InlineData("http:")]
    [InlineData("http:port/x")]
    [InlineData("tcp:70000")]
    [InlineData("exec:")]
    [InlineData("exec:sh -c 'unclosed")]
    [InlineData("grpc:80")]
    public void A_malformed_probe_is_one_error_naming_the_flag(string text)
    {
        var error = Assert.Throws<CliException>(() => ProbeFlags.Parse(text, "--liveness"));

        Assert.Equal($"--liveness: '{text}' is not a probe (use http:PORT/PATH, tcp:PORT or exec:COMMAND)", error.Message);
    }
}

public sealed class WorkloadFlagsTests
{
    [Fact]
    public void Pairs_split_at_the_first_equals_sign()
    {
        Assert.Equal("a=b", WorkloadFlags.Env(["X=a=b"])["X"]);
        Assert.Equal("gpu", WorkloadFlags.NodeSelector(["kind=gpu"])["kind"]);
        Assert.Equal("--node-selector: 'zone' is not key=value", Assert.Throws<CliException>(() => WorkloadFlags.NodeSelector(["zone"])).Message);
        Assert.Equal("--env: '=x' is not K=V", Assert.Throws<CliException>(() => WorkloadFlags.Env(["=x"])).Message);
    }

    [Fact]
    public void Enums_take_their_wire_names()
    {
        Assert.Equal(PlacementStrategyName.Binpack, WorkloadFlags.Strategy("binpack"));
        Assert.Equal(RestartPolicy.OnFailure, WorkloadFlags.Restart("on-failure"));
        Assert.Null(WorkloadFlags.Restart(null));
        Assert.StartsWith("--restart: 'sometimes'", Assert.Throws<CliException>(() => WorkloadFlags.Restart("sometimes")).Message);
        Assert.StartsWith("--strategy: 'random'", Assert.Throws<CliException>(() => WorkloadFlags.Strategy("random")).Message);
    }

    [Fact]
    public void Gpu_indices_are_a_comma_separated_list()
    {
        Assert.Equal([0, 2], WorkloadFlags.GpuIndices("0,2"));
        Assert.Equal([1], WorkloadFlags.GpuIndices(" 1 "));
        Assert.Throws<CliException>(() => WorkloadFlags.GpuIndices("0,x"));
        Assert.Throws<CliException>(() => WorkloadFlags.GpuIndices(","));
    }

    [Fact]
    public void Deploy_ports_are_container_ports_only()
    {
        Assert.Equal(new PortMapping { ContainerPort = 53, Protocol = "udp" }, WorkloadFlags.ContainerPort("53/udp"));
        Assert.Contains("host port is chosen", Assert.Throws<CliException>(() => WorkloadFlags.ContainerPort("8080:80")).Message);
    }

    [Fact]
    public void Quantities_keep_the_run_error_messages()
    {
        Assert.Equal(500, WorkloadFlags.Cpu("500m"));
        Assert.Equal(256L << 20, WorkloadFlags.Memory("256Mi"));
        Assert.Null(WorkloadFlags.Cpu(null));
        Assert.Equal("--memory: 'lots' is not a memory amount (use 256Mi or 1Gi)", Assert.Throws<CliException>(() => WorkloadFlags.Memory("lots")).Message);
        Assert.Equal("--cpu: '-1' is not a CPU amount (use 0.5 or 500m)", Assert.Throws<CliException>(() => WorkloadFlags.Cpu("-1")).Message);
    }
}

public sealed class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("6s", 6_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData(" 120s ", 120_000)]
    public void Go_style_durations_parse(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("-1s")]
    [InlineData("fives")]
    [InlineData("5 minutes")]
    public void Other_text_is_no_duration(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
        Assert.Equal($"--timeout: '{text}' is not a duration (use e.g. 500ms, 6s, 5m)", Assert.Throws<CliException>(() => Durations.Parse(text, "--timeout")).Message);
    }

    [Theory]
    [InlineData(59, "59s")]
    [InlineData(61, "1m")]
    [InlineData(7200, "2h")]
    [InlineData(200_000, "2d")]
    public void Humanize_prints_the_largest_whole_unit(int seconds, string expected)
    {
        Assert.Equal(expected, Durations.Humanize(TimeSpan.FromSeconds(seconds)));
    }
}

public sealed class SuggestionsTests
{
    [Fact]
    public void A_typo_suggests_the_closest_name()
    {
        Assert.Equal("replicas", Suggestions.Closest("replica", ["image", "replicas", "readiness"]));
        Assert.Equal("web-frontend", Suggestions.Closest("web-frontnd", ["web-frontend", "api"]));
    }

    [Fact]
    public void Nothing_close_enough_suggests_nothing()
    {
        Assert.Null(Suggestions.Closest("database", ["web", "api"]));
        Assert.Null(Suggestions.Closest("web", []));
    }
}

public sealed class RolloutProgressTests
{
    private static DeploymentResource Deployment(string status, int ready, int replicas, string? message = null) => new()
    {
        Name = "web", Revision = 3, Replicas = replicas, ReadyReplicas = ready, RolloutStatus = status, RolloutMessage = message,
    };

    [Fact]
    public void A_progressing_rollout_shows_the_controllers_message_and_is_not_over()
    {
        var (line, outcome) = RolloutWatch.Progress(Deployment(RolloutStates.Progressing, 2, 3, "revision 3: 2/3 ready, 1 old"));

        Assert.Equal("revision 3: 2/3 ready, 1 old", line);
        Assert.Null(outcome);
    }

    [Fact]
    public void Complete_and_failed_end_it()
    {
        Assert.True(RolloutWatch.Progress(Deployment(RolloutStates.Complete, 3, 3)).Outcome);
        Assert.False(RolloutWatch.Progress(Deployment(RolloutStates.Failed, 1, 3)).Outcome);
    }

    [Fact]
    public void Complete_with_too_few_ready_is_stale_after_a_scale_up()
    {
        Assert.Null(RolloutWatch.Progress(Deployment(RolloutStates.Complete, 1, 3)).Outcome);
    }

    [Fact]
    public void Without_a_message_the_counts_are_shown()
    {
        Assert.Equal("revision 3: 1/3 ready", RolloutWatch.Progress(Deployment(RolloutStates.Progressing, 1, 3)).Line);
    }
}

public sealed class DrainWatchTests
{
    [Fact]
    public void Only_live_deployment_instances_on_the_node_block_a_drain()
    {
        var instance = new TaskResource { Name = "web-1", Deployment = "web", Node = "n1", Status = TaskPhase.Running };

        Assert.True(DrainWatch.Blocks(instance, "n1"));
        Assert.True(DrainWatch.Blocks(instance with { Status = TaskPhase.Stopping }, "n1"));
        Assert.False(DrainWatch.Blocks(instance with { Status = TaskPhase.Stopped }, "n1"));
        Assert.False(DrainWatch.Blocks(instance with { Node = "n2" }, "n1"));
        Assert.False(DrainWatch.Blocks(instance with { Deployment = null }, "n1"));
    }
}
