namespace Chas.Runtime.Docker;

/// <summary>
/// Where the Docker engine listens and how containers are hardened. Bound from configuration by the host; defaults
/// suit a stock Linux node.
/// </summary>
public sealed class DockerRuntimeOptions
{
    public const string DefaultSocketEndpoint = "unix:///var/run/docker.sock";

    /// <summary>
    /// Engine API address, e.g. <c>unix:///var/run/docker.sock</c> or <c>tcp://10.0.0.5:2375</c>.
    /// Defaults to <c>DOCKER_HOST</c> when set, so CHaS finds the same engine the docker tooling would.
    /// </summary>
    public string Endpoint { get; set; } = DefaultEndpoint();

    /// <summary>
    /// The capabilities an unprivileged container keeps; every other one is dropped. The default is Docker's own
    /// default set less MKNOD, NET_RAW, AUDIT_WRITE and SETFCAP: enough for images that start as root, chown their
    /// files and drop to a user, or bind a port below 1024. Replace the whole list to change it.
    /// </summary>
    public IReadOnlyList<string> DefaultCapabilities { get; set; } = DefaultCapabilitySet;

    /// <summary>Most processes (threads included) one container may have: a fork bomb stays inside its container.</summary>
    public long PidsLimit { get; set; } = 1024;

    /// <summary>The memory limit of a container whose task asked for none. Every container has one.</summary>
    public long DefaultMemoryBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>The CPU limit (thousandths of a CPU) of a container whose task asked for none. Every container has one.</summary>
    public long DefaultCpuMillis { get; set; } = 1000;

    public static IReadOnlyList<string> DefaultCapabilitySet { get; } =
        ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT"];

    public static string DefaultEndpoint() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } dockerHost ? dockerHost : DefaultSocketEndpoint;

    /// <summary>
    /// Throws when a setting would leave containers without a limit: 0 means "unlimited" to the engine, which is
    /// exactly what hardening by default must never produce.
    /// </summary>
    internal void Validate()
    {
        if (PidsLimit <= 0) throw new ArgumentOutOfRangeException(nameof(PidsLimit), PidsLimit, "must be positive");
        if (DefaultMemoryBytes <= 0) throw new ArgumentOutOfRangeException(nameof(DefaultMemoryBytes), DefaultMemoryBytes, "must be positive");
        if (DefaultCpuMillis <= 0) throw new ArgumentOutOfRangeException(nameof(DefaultCpuMillis), DefaultCpuMillis, "must be positive");
    }
}
