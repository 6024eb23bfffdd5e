using System.Globalization;
using Docker.DotNet.Models;
using DockerPortBinding = Docker.DotNet.Models.PortBinding;

namespace Chas.Runtime.Docker;

/// <summary>Translates between CHaS's runtime records and the Engine API's models, in both directions.</summary>
internal static class DockerModelMapper
{
    /// <summary>Read by the NVIDIA container toolkit (when present) to pick the GPUs it mounts into the container.</summary>
    public const string NvidiaVisibleDevicesVariable = "NVIDIA_VISIBLE_DEVICES";

    /// <summary>The GPUs CHaS assigned, for workloads that want to know without depending on NVIDIA's variable.</summary>
    public const string ChasGpuIndicesVariable = "CHAS_GPU_INDICES";

    /// <param name="nvidiaRuntime">The engine has NVIDIA's container toolkit (it reports an "nvidia" runtime).</param>
    /// <param name="options">The hardening defaults (see <see cref="ContainerHardening"/>).</param>
    /// <exception cref="ArgumentException">A port binding without a host address, or a mount or network attachment the engine cannot take.</exception>
    public static CreateContainerParameters ToCreateParameters(ContainerSpec spec, bool nvidiaRuntime, DockerRuntimeOptions options)
    {
        var exposedPorts = new Dictionary<string, EmptyStruct>();
        var portBindings = new Dictionary<string, IList<DockerPortBinding>>();
        foreach (var port in spec.Ports)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"{port.ContainerPort}/{port.Protocol.ToLowerInvariant()}");
            exposedPorts[key] = default;
            if (!portBindings.TryGetValue(key, out var bindings))
            {
                portBindings[key] = bindings = [];
            }

            // An empty host address means 0.0.0.0 to the engine: every interface of the node. The agent always fills
            // in the node's own address (0.0.0.0 only when that is the node's address), so an empty one here is a
            // bug. Failing the task says so loudly; quietly binding 127.0.0.1 instead would be just as safe but
            // leave a task that looks fine and that nothing off the node can reach.
            if (string.IsNullOrWhiteSpace(port.HostIp))
            {
                throw new ArgumentException(
                    $"Port {key} of container '{spec.Name}' has no host address; refusing to publish it on every interface.",
                    nameof(spec));
            }

            bindings.Add(new DockerPortBinding
            {
                HostIP = port.HostIp,
                // An empty host port lets the engine choose one.
                HostPort = port.HostPort > 0 ? port.HostPort.ToString(CultureInfo.InvariantCulture) : "",
            });
        }

        var env = new Dictionary<string, string>(spec.Env);
        var gpus = string.Join(',', spec.GpuIndices.Select(index => index.ToString(CultureInfo.InvariantCulture)));
        if (spec.GpuIndices.Count > 0)
        {
            // Set whatever the engine: the assignment wins over a value in the spec, because these are the GPUs the
            // scheduler reserved. On a node without the toolkit the variables are only information (which is also
            // what tests on GPU-less machines can check).
            env[NvidiaVisibleDevicesVariable] = gpus;
            env[ChasGpuIndicesVariable] = gpus;
        }

        var parameters = new CreateContainerParameters
        {
            Name = spec.Name,
            Image = spec.Image,
            // Null keeps the image's default command.
            Cmd = spec.Command.Count > 0 ? [.. spec.Command] : null,
            Env = [.. env.Select(variable => $"{variable.Key}={variable.Value}")],
            Labels = new Dictionary<string, string>(spec.Labels),
            ExposedPorts = exposedPorts,
            NetworkingConfig = DockerAttachmentMapper.ToNetworkingConfig(spec),
            HostConfig = new HostConfig
            {
                NetworkMode = DockerAttachmentMapper.ToNetworkMode(spec),
                Mounts = DockerAttachmentMapper.ToMounts(spec),
                PortBindings = portBindings,
                // A tiny init (the engine's docker-init) as PID 1: it forwards SIGTERM and reaps zombies, so a
                // main process without its own signal handling (sleep, many shells) stops at once instead of
                // waiting out the grace period for SIGKILL.
                Init = true,
                // No RestartPolicy on purpose: the agent decides about restarts, and the engine must not race it.
                DeviceRequests = spec.GpuIndices.Count > 0 && nvidiaRuntime ? [ToGpuRequest(spec.GpuIndices)] : null,
            },
        };
        ContainerHardening.Apply(parameters.HostConfig, spec, options);
        return parameters;
    }

    /// <summary>
    /// The engine's "--gpus device=1,3": it makes the engine run NVIDIA's prestart hook, which mounts exactly those
    /// devices. Only asked for when the toolkit is installed: without it the engine has no "nvidia" device driver and
    /// refuses to start the container ("could not select device driver"), and a GPU-less node must still run it.
    /// </summary>
    private static DeviceRequest ToGpuRequest(IReadOnlyList<int> indices) => new()
    {
        Driver = "nvidia",
        DeviceIDs = [.. indices.Select(index => index.ToString(CultureInfo.InvariantCulture))],
        Capabilities = [["gpu"]],
    };

    public static ContainerInfo ToContainerInfo(ContainerInspectResponse container)
    {
        var state = container.State;
        var mappedState = ToState(state?.Status);
        return new ContainerInfo
        {
            Id = container.ID,
            Name = container.Name?.TrimStart('/') ?? "",
            Labels = container.Config?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
            State = mappedState,
            // The engine reports 0 for containers that never exited; only an exit has an exit code.
            ExitCode = mappedState == ContainerState.Exited && state is not null ? (int)state.ExitCode : null,
            OomKilled = state?.OOMKilled ?? false,
            Error = string.IsNullOrEmpty(state?.Error) ? null : state.Error,
            StartedAt = DockerTime.ParseOptional(state?.StartedAt),
            FinishedAt = DockerTime.ParseOptional(state?.FinishedAt),
        };
    }

    public static ContainerState ToState(string? status) => status switch
    {
        "created" => ContainerState.Created,
        "running" => ContainerState.Running,
        "exited" => ContainerState.Exited,
        _ => ContainerState.Other, // paused, restarting, removing, dead
    };
}
