using DockerModels = Docker.DotNet.Models;

namespace Chas.Runtime.Docker.Tests;

/// <summary>How a spec's mounts and network attachment become create parameters, and GET /info becomes capabilities.</summary>
public sealed class AttachmentMappingTests
{
    private static readonly DockerRuntimeOptions Options = new();

    private static ContainerSpec Spec() => new() { Name = "web", Image = "busybox" };

    [Fact]
    public void A_spec_without_mounts_or_network_creates_what_it_did_before()
    {
        var parameters = DockerModelMapper.ToCreateParameters(Spec(), nvidiaRuntime: false, Options);

        Assert.Null(parameters.HostConfig.Mounts);
        Assert.Null(parameters.HostConfig.NetworkMode);
        Assert.Null(parameters.NetworkingConfig);
    }

    [Fact]
    public void Mounts_map_to_host_config_mounts_with_their_kind_and_read_only_flag()
    {
        var spec = Spec() with
        {
            Mounts =
            [
                new MountSpec(MountType.Bind, "/srv/data", "/data", ReadOnly: true),
                new MountSpec(MountType.Volume, "cache", "/cache"),
                new MountSpec(MountType.Tmpfs, "ignored", "/scratch"),
            ],
        };

        var mounts = DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime: false, Options).HostConfig.Mounts;

        Assert.Collection(mounts,
            m => { Assert.Equal(("bind", "/srv/data", "/data", true), (m.Type, m.Source, m.Target, m.ReadOnly)); },
            m => { Assert.Equal(("volume", "cache", "/cache", false), (m.Type, m.Source, m.Target, m.ReadOnly)); },
            m => { Assert.Equal(("tmpfs", (string?)null, "/scratch"), (m.Type, m.Source, m.Target)); });
    }

    [Theory]
    [InlineData(MountType.Bind, "", "/data")]
    [InlineData(MountType.Volume, " ", "/data")]
    [InlineData(MountType.Tmpfs, "", "relative")]
    public void A_mount_without_source_or_absolute_target_is_refused(MountType type, string source, string target)
    {
        var spec = Spec() with { Mounts = [new MountSpec(type, source, target)] };

        Assert.Throws<ArgumentException>(() => DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime: false, Options));
    }

    [Theory]
    [InlineData(NetworkMode.Host, "host")]
    [InlineData(NetworkMode.None, "none")]
    public void Host_and_none_map_to_the_engine_network_mode(NetworkMode mode, string expected)
    {
        var spec = Spec() with { Network = new NetworkAttachment { Mode = mode } };

        var parameters = DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime: false, Options);

        Assert.Equal(expected, parameters.HostConfig.NetworkMode);
        Assert.Null(parameters.NetworkingConfig);
    }

    [Fact]
    public void Ports_on_the_host_network_are_refused_rather_than_dropped()
    {
        var spec = Spec() with
        {
            Network = new NetworkAttachment { Mode = NetworkMode.Host },
            Ports = [new PortBinding(80, 8080, "127.0.0.1")],
        };

        Assert.Throws<ArgumentException>(() => DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime: false, Options));
    }

    [Fact]
    public void A_named_network_carries_its_aliases_and_address_in_the_endpoint()
    {
        var spec = Spec() with
        {
            Network = new NetworkAttachment { Mode = NetworkMode.Named, NetworkName = "backend", Aliases = ["web", "www"], IPv4Address = "10.9.0.5" },
        };

        var parameters = DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime: false, Options);

        Assert.Equal("backend", parameters.HostConfig.NetworkMode);
        var endpoint = Assert.Single(parameters.NetworkingConfig.EndpointsConfig);
        Assert.Equal("backend", endpoint.Key);
        Assert.Equal(["web", "www"], endpoint.Value.Aliases);
        Assert.Equal("10.9.0.5", endpoint.Value.IPAMConfig.IPv4Address);
    }

    [Fact]
    public void A_named_network_without_a_name_is_refused()
    {
        var spec = Spec() with { Network = new NetworkAttachment { Mode = NetworkMode.Named } };

        Assert.Throws<ArgumentException>(() => DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime: false, Options));
    }

    [Fact]
    public void Capabilities_follow_the_engine_plugins_and_runtimes()
    {
        var info = new DockerModels.SystemInfoResponse
        {
            Plugins = new DockerModels.PluginsInfo { Volume = [], Network = ["bridge", "null"] },
            Runtimes = new Dictionary<string, DockerModels.Runtime> { ["nvidia"] = new() },
        };

        var capabilities = DockerAttachmentMapper.ToCapabilities(info);

        Assert.True(capabilities.Gpus);
        Assert.Equal([MountType.Bind, MountType.Tmpfs], capabilities.MountTypes.Order());
        Assert.Equal([NetworkMode.Bridge, NetworkMode.None, NetworkMode.Named], capabilities.NetworkModes.Order());
        Assert.True(capabilities.ImageImport);
    }

    [Fact]
    public void An_engine_without_nvidia_has_no_gpus_and_with_a_volume_driver_has_volumes()
    {
        var info = new DockerModels.SystemInfoResponse
        {
            Plugins = new DockerModels.PluginsInfo { Volume = ["local"], Network = ["bridge", "host", "null", "overlay"] },
            Runtimes = new Dictionary<string, DockerModels.Runtime> { ["runc"] = new() },
        };

        var capabilities = DockerAttachmentMapper.ToCapabilities(info);

        Assert.False(capabilities.Gpus);
        Assert.Contains(MountType.Volume, capabilities.MountTypes);
        Assert.Equal([NetworkMode.Bridge, NetworkMode.Host, NetworkMode.None, NetworkMode.Named], capabilities.NetworkModes.Order());
    }
}
