using System.Globalization;
using Docker.DotNet.Models;
using DockerPortBinding = Docker.DotNet.Models.PortBinding;

namespace Chas.Runtime.Docker;

/// <summary>Translates between CHaS's runtime records and the Engine API's models, in both directions.</summary>
internal static class DockerModelMapper
{
    private const long NanoCpusPerMilliCpu = 1_000_000;

    public static CreateContainerParameters ToCreateParameters(ContainerSpec spec)
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

            bindings.Add(new DockerPortBinding
            {
                HostIP = port.HostIp,
                // An empty host port lets the engine choose one.
                HostPort = port.HostPort > 0 ? port.HostPort.ToString(CultureInfo.InvariantCulture) : "",
            });
        }

        return new CreateContainerParameters
        {
            Name = spec.Name,
            Image = spec.Image,
            // Null keeps the image's default command.
            Cmd = spec.Command.Count > 0 ? [.. spec.Command] : null,
            Env = [.. spec.Env.Select(variable => $"{variable.Key}={variable.Value}")],
            Labels = new Dictionary<string, string>(spec.Labels),
            ExposedPorts = exposedPorts,
            HostConfig = new HostConfig
            {
                Memory = Math.Max(0, spec.MemoryBytes),
                NanoCPUs = spec.CpuMillis > 0 ? spec.CpuMillis * NanoCpusPerMilliCpu : 0,
                PortBindings = portBindings,
                // No RestartPolicy on purpose: the agent decides about restarts, and the engine must not race it.
            },
        };
    }

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
