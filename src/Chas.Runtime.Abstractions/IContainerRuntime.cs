namespace Chas.Runtime;

/// <summary>
/// What a node agent needs from a container engine. One implementation per engine (Docker today,
/// containerd later), picked by configuration; the agent never talks to an engine any other way.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>Short engine name reported to the server, e.g. "docker 20.10.24".</summary>
    Task<RuntimeInfo> GetInfoAsync(CancellationToken cancellationToken);

    /// <summary>What this engine can do (mount kinds, network modes, exec, GPUs, ...), as far as the engine says.</summary>
    Task<RuntimeCapabilities> GetCapabilitiesAsync(CancellationToken cancellationToken);

    /// <summary>Makes the image available locally: nothing when present, a registry pull otherwise.</summary>
    /// <exception cref="RuntimeException">The image is neither present nor pullable.</exception>
    Task EnsureImageAsync(string image, CancellationToken cancellationToken);

    /// <summary>Creates (does not start) a container; returns its id.</summary>
    Task<string> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken);

    Task StartAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Completes when the container has exited; returns how.</summary>
    Task<ContainerExit> WaitAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>SIGTERM, then SIGKILL after <paramref name="gracePeriod"/>. A container already stopped is fine.</summary>
    Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Removes a container (killing it when <paramref name="force"/>). A missing container is fine.</summary>
    Task RemoveAsync(string containerId, bool force, CancellationToken cancellationToken);

    /// <summary>Null when the container does not exist.</summary>
    Task<ContainerInfo?> InspectAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>All containers (running or not) carrying every one of the given labels.</summary>
    Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken);

    /// <summary>Log lines in order; with <see cref="LogOptions.Follow"/> it ends when the container stops or the token is cancelled.</summary>
    IAsyncEnumerable<LogLine> ReadLogsAsync(string containerId, LogOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a command inside a running container and waits for it (exec probes, `chas exec`).
    /// Output is stdout and stderr together, cut to the first 64 KiB. On timeout the result says so.
    /// </summary>
    Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Starts a command inside a running container with its input and output attached (`chas exec`, the dashboard's terminal).</summary>
    /// <exception cref="RuntimeException">The container is missing or not running, or the engine failed.</exception>
    Task<IExecSession> StartExecAsync(string containerId, ExecRequest request, CancellationToken cancellationToken);

    /// <summary>The container's address and published ports (`chas forward`); null when the container does not exist.</summary>
    Task<ContainerNetwork?> GetNetworkAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>
    /// One reading of a container's cumulative resource counters, taken at once (no waiting for the engine's own
    /// interval); CPU use is the difference of two readings (<see cref="ContainerStats.CpuMillisSince"/>).
    /// Null when the container does not exist or is not running.
    /// </summary>
    Task<ContainerStats?> GetStatsAsync(string containerId, CancellationToken cancellationToken);
}

public sealed record ExecResult(int ExitCode, string Output, bool TimedOut);

public sealed record RuntimeInfo(string Name, string Version, int CpuCount, long MemoryBytes);

public sealed record ContainerSpec
{
    public required string Name { get; init; }
    public required string Image { get; init; }
    /// <summary>Empty: the image's default command.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>0: none asked for; the runtime then applies its default limit (every container is limited).</summary>
    public long CpuMillis { get; init; }
    /// <summary>0: none asked for; the runtime then applies its default limit (every container is limited).</summary>
    public long MemoryBytes { get; init; }
    public IReadOnlyList<PortBinding> Ports { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>GPU indices (as nvidia-smi numbers them) this container may use; empty: none.</summary>
    public IReadOnlyList<int> GpuIndices { get; init; } = [];
    /// <summary>
    /// Every capability and device, no hardening. Only for tasks an admin allowed it; the runtime does not check who asked.
    /// </summary>
    public bool Privileged { get; init; }
    /// <summary>The image's filesystem is mounted read-only; /tmp and /run stay writable (in memory).</summary>
    public bool ReadOnlyRootFilesystem { get; init; }
    /// <summary>Filesystems mounted into the container besides its image; empty: none.</summary>
    public IReadOnlyList<MountSpec> Mounts { get; init; } = [];
    /// <summary>Which network the container joins; the default is the engine's default network with <see cref="Ports"/> published.</summary>
    public NetworkAttachment Network { get; init; } = NetworkAttachment.Default;
}

public sealed record PortBinding(int ContainerPort, int HostPort, string HostIp, string Protocol = "tcp");

public enum ContainerState { Created, Running, Exited, Other }

public sealed record ContainerInfo
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public ContainerState State { get; init; }
    public int? ExitCode { get; init; }
    public bool OomKilled { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
}

public sealed record ContainerExit(int ExitCode, bool OomKilled, string? Error);

public enum LogStream { Stdout, Stderr }

public sealed record LogOptions
{
    public bool Follow { get; init; }
    /// <summary>Null: all lines.</summary>
    public int? Tail { get; init; }
    public bool Timestamps { get; init; }
    public DateTimeOffset? Since { get; init; }
}

/// <summary>One line of output, without its trailing newline.</summary>
public sealed record LogLine(LogStream Stream, DateTimeOffset? Timestamp, string Text);

/// <summary>A failure of the engine that should be shown to the user as the task's error.</summary>
public sealed class RuntimeException : Exception
{
    public RuntimeException(string message) : base(message) { }
    public RuntimeException(string message, Exception inner) : base(message, inner) { }
}
