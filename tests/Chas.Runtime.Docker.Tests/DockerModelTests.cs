using DockerModels = Docker.DotNet.Models;

namespace Chas.Runtime.Docker.Tests;

public sealed class DockerModelTests
{
    private static readonly DockerRuntimeOptions Options = new();

    [Theory]
    [InlineData("2024-05-07T12:34:56Z", 0)]
    [InlineData("2024-05-07T12:34:56.5Z", 5_000_000)]
    [InlineData("2024-05-07T12:34:56.123456789Z", 1_234_567)]
    public void Rfc3339_nano_times_parse_to_100ns_precision(string text, long ticks)
    {
        Assert.True(DockerTime.TryParse(text, out var value));
        Assert.Equal(new DateTimeOffset(2024, 5, 7, 12, 34, 56, TimeSpan.Zero).AddTicks(ticks), value);
    }

    [Fact]
    public void Times_with_an_offset_keep_the_instant()
    {
        Assert.True(DockerTime.TryParse("2024-05-07T14:34:56.000000001+02:00", out var value));
        Assert.Equal(new DateTimeOffset(2024, 5, 7, 12, 34, 56, TimeSpan.Zero), value.ToUniversalTime());
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("")]
    [InlineData(null)]
    public void Docker_zero_time_means_never(string? text)
    {
        Assert.Null(DockerTime.ParseOptional(text));
    }

    [Fact]
    public void Since_is_written_as_unix_seconds_with_nanoseconds()
    {
        var value = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1_234_567);

        Assert.Equal("1700000000.123456700", DockerTime.ToUnixSeconds(value));
    }

    [Theory]
    [InlineData("busybox", "busybox", "latest")]
    [InlineData("chas-test/busybox:1.36", "chas-test/busybox", "1.36")]
    [InlineData("localhost:5000/app", "localhost:5000/app", "latest")]
    [InlineData("localhost:5000/app:v2", "localhost:5000/app", "v2")]
    [InlineData("app@sha256:abc", "app@sha256:abc", null)]
    public void Image_references_split_into_repository_and_tag(string reference, string repository, string? tag)
    {
        Assert.Equal((repository, tag), ImageReference.Split(reference));
    }

    [Fact]
    public void A_spec_becomes_create_parameters_with_ports_limits_and_no_restart_policy()
    {
        var spec = new ContainerSpec
        {
            Name = "web-1",
            Image = "chas-test/busybox:latest",
            Command = ["httpd", "-f"],
            Env = new Dictionary<string, string> { ["A"] = "1" },
            CpuMillis = 250,
            MemoryBytes = 1024,
            Ports = [new PortBinding(8080, 28080, "127.0.0.1"), new PortBinding(53, 0, "0.0.0.0", "UDP")],
            Labels = new Dictionary<string, string> { ["chas.task"] = "t1" },
        };

        var parameters = DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime: false, Options);

        Assert.Equal("web-1", parameters.Name);
        Assert.Equal(["httpd", "-f"], parameters.Cmd);
        Assert.Equal(["A=1"], parameters.Env);
        Assert.Equal("t1", parameters.Labels["chas.task"]);
        Assert.Equal(250_000_000, parameters.HostConfig.NanoCPUs);
        Assert.Equal(1024, parameters.HostConfig.Memory);
        Assert.Null(parameters.HostConfig.RestartPolicy);
        Assert.Equal(["8080/tcp", "53/udp"], parameters.ExposedPorts.Keys);
        var web = Assert.Single(parameters.HostConfig.PortBindings["8080/tcp"]);
        Assert.Equal(("127.0.0.1", "28080"), (web.HostIP, web.HostPort));
        Assert.Equal("", Assert.Single(parameters.HostConfig.PortBindings["53/udp"]).HostPort);
    }

    [Fact]
    public void An_empty_command_keeps_the_image_default()
    {
        var parameters = DockerModelMapper.ToCreateParameters(new ContainerSpec { Name = "n", Image = "i" }, nvidiaRuntime: false, Options);

        Assert.Null(parameters.Cmd);
        Assert.Null(parameters.HostConfig.DeviceRequests);
    }

    [Fact]
    public void Gpus_become_environment_variables_that_win_over_the_spec_and_no_device_request_without_nvidia()
    {
        var spec = new ContainerSpec
        {
            Name = "n",
            Image = "i",
            GpuIndices = [1, 3],
            Env = new Dictionary<string, string> { ["A"] = "1", ["NVIDIA_VISIBLE_DEVICES"] = "all" },
        };

        var parameters = DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime: false, Options);

        Assert.Equal(["A=1", "NVIDIA_VISIBLE_DEVICES=1,3", "CHAS_GPU_INDICES=1,3"], parameters.Env);
        Assert.Null(parameters.HostConfig.DeviceRequests);
    }

    [Fact]
    public void With_the_nvidia_runtime_gpus_are_also_requested_from_the_engine_by_index()
    {
        var spec = new ContainerSpec { Name = "n", Image = "i", GpuIndices = [0, 2] };

        var parameters = DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime: true, Options);

        var request = Assert.Single(parameters.HostConfig.DeviceRequests);
        Assert.Equal("nvidia", request.Driver);
        Assert.Equal(["0", "2"], request.DeviceIDs);
        Assert.Equal(["gpu"], Assert.Single(request.Capabilities));
        Assert.Equal(0, request.Count); // the ids say which; a count besides them is an error for the engine
        Assert.Contains("NVIDIA_VISIBLE_DEVICES=0,2", parameters.Env);
    }

    [Fact]
    public void Without_gpus_the_nvidia_runtime_changes_nothing()
    {
        var parameters = DockerModelMapper.ToCreateParameters(new ContainerSpec { Name = "n", Image = "i" }, nvidiaRuntime: true, Options);

        Assert.Null(parameters.HostConfig.DeviceRequests);
        Assert.Empty(parameters.Env);
    }

    [Fact]
    public void A_spec_without_limits_gets_the_default_limits_and_the_hardening()
    {
        var options = new DockerRuntimeOptions { DefaultMemoryBytes = 64L << 20, DefaultCpuMillis = 300, PidsLimit = 77, DefaultCapabilities = ["KILL"] };

        var host = DockerModelMapper.ToCreateParameters(new ContainerSpec { Name = "n", Image = "i" }, nvidiaRuntime: false, options).HostConfig;

        Assert.Equal((64L << 20, 300_000_000L, 77L), (host.Memory, host.NanoCPUs, host.PidsLimit));
        Assert.False(host.Privileged);
        Assert.Equal(["ALL"], host.CapDrop);
        Assert.Equal(["KILL"], host.CapAdd);
        Assert.Equal(["no-new-privileges"], host.SecurityOpt);
        Assert.False(host.ReadonlyRootfs);
        Assert.Null(host.Tmpfs);
        Assert.Equal(DockerRuntimeOptions.DefaultCapabilitySet, Options.DefaultCapabilities);
    }

    [Fact]
    public void A_privileged_spec_keeps_its_capabilities_and_may_gain_privileges_but_not_lose_its_limits()
    {
        var spec = new ContainerSpec { Name = "n", Image = "i", Privileged = true };

        var host = DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime: false, Options).HostConfig;

        Assert.True(host.Privileged);
        Assert.Null(host.CapDrop);
        Assert.Null(host.CapAdd);
        Assert.Null(host.SecurityOpt);
        Assert.Equal((Options.DefaultMemoryBytes, 1_000_000_000L, Options.PidsLimit), (host.Memory, host.NanoCPUs, host.PidsLimit));
    }

    [Fact]
    public void A_read_only_root_gets_in_memory_tmp_and_run()
    {
        var spec = new ContainerSpec { Name = "n", Image = "i", ReadOnlyRootFilesystem = true };

        var host = DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime: false, Options).HostConfig;

        Assert.True(host.ReadonlyRootfs);
        Assert.Equal(["/tmp", "/run"], host.Tmpfs.Keys);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void A_port_without_a_host_address_is_refused_rather_than_published_on_every_interface(string hostIp)
    {
        var spec = new ContainerSpec { Name = "n", Image = "i", Ports = [new PortBinding(80, 20080, hostIp)] };

        var error = Assert.Throws<ArgumentException>(() => DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime: false, Options));
        Assert.Contains("80/tcp", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void Options_that_would_mean_unlimited_are_refused(long value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DockerRuntimeOptions { PidsLimit = value }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new DockerRuntimeOptions { DefaultMemoryBytes = value }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new DockerRuntimeOptions { DefaultCpuMillis = value }.Validate());
        new DockerRuntimeOptions().Validate(); // the defaults pass
    }

    [Theory]
    [InlineData(137, 8_388_608L, false, false, true)] // the engine missed it: limited, SIGKILL, not ours
    [InlineData(137, 8_388_608L, false, true, false)] // our stop's SIGKILL
    [InlineData(137, 0L, false, false, false)] // no limit, so no cgroup OOM: someone else's SIGKILL
    [InlineData(1, 8_388_608L, false, false, false)] // not a SIGKILL
    [InlineData(137, 8_388_608L, true, false, false)] // the engine saw it: nothing missed
    public void A_missed_oom_kill_is_a_sigkill_of_a_limited_container_nobody_here_stopped(
        long exitCode, long memory, bool engineSawOom, bool stopRequested, bool expected)
    {
        var container = new DockerModels.ContainerInspectResponse
        {
            HostConfig = new DockerModels.HostConfig { Memory = memory },
            State = new DockerModels.ContainerState { OOMKilled = engineSawOom },
        };

        Assert.Equal(expected, MissedOomKillDetector.IsMissedOomKill(exitCode, container, stopRequested));
        Assert.False(MissedOomKillDetector.IsMissedOomKill(exitCode, container: null, stopRequested)); // removed meanwhile
    }

    [Fact]
    public void Inspect_passes_the_engine_oom_flag_through_unguessed()
    {
        var container = new DockerModels.ContainerInspectResponse
        {
            ID = "abc",
            Name = "/web-1",
            HostConfig = new DockerModels.HostConfig { Memory = 8_388_608 },
            State = new DockerModels.ContainerState { Status = "exited", ExitCode = 137, OOMKilled = false },
        };

        var info = DockerModelMapper.ToContainerInfo(container);

        // No stop history here (after an agent restart there is none), so no guessing either.
        Assert.Equal(("web-1", 137, false), (info.Name, info.ExitCode, info.OomKilled));
        container.State.OOMKilled = true;
        Assert.True(DockerModelMapper.ToContainerInfo(container).OomKilled);
    }

    [Fact]
    public void A_stop_mark_lasts_until_the_next_start_or_the_removal()
    {
        var detector = new MissedOomKillDetector();

        detector.StopRequested("a");
        detector.StopRequested("b");
        Assert.True(detector.WasStopRequested("a"));
        detector.Started("a");
        detector.Removed("b");

        Assert.False(detector.WasStopRequested("a"));
        Assert.False(detector.WasStopRequested("b"));
    }
}
