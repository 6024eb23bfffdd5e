namespace Chas.Runtime;

/// <summary>
/// What an engine can do, so that the agent (and the hooks of its task runner) can refuse or adapt a task before asking
/// the engine for something it does not have, instead of learning it from a failed create.
/// </summary>
public sealed record RuntimeCapabilities
{
    /// <summary>Commands run inside a container and waited for (exec probes).</summary>
    public bool Exec { get; init; }

    /// <summary>Commands run with input and output attached (`chas exec`, the dashboard's terminal).</summary>
    public bool InteractiveExec { get; init; }

    /// <summary>Cumulative resource counters per container (<see cref="IContainerRuntime.GetStatsAsync"/>).</summary>
    public bool Stats { get; init; }

    /// <summary>Assigned GPUs are mounted into the container (not only announced in its environment).</summary>
    public bool Gpus { get; init; }

    /// <summary>The kinds of <see cref="MountSpec"/> the engine takes.</summary>
    public IReadOnlySet<MountType> MountTypes { get; init; } = new HashSet<MountType>();

    /// <summary>The kinds of <see cref="NetworkAttachment"/> the engine takes.</summary>
    public IReadOnlySet<NetworkMode> NetworkModes { get; init; } = new HashSet<NetworkMode>();

    public bool ReadOnlyRootFilesystem { get; init; }

    public bool Privileged { get; init; }

    /// <summary>Root filesystem tars become images without a registry (the runtime is also an <see cref="IImageImporter"/>).</summary>
    public bool ImageImport { get; init; }
}
