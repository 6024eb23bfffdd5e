using Docker.DotNet.Models;

namespace Chas.Runtime.Docker;

/// <summary>
/// The security and resource settings every container gets unless its spec says otherwise: no privileges, a small
/// capability set, no-new-privileges, a pids limit, memory and CPU limits (defaults when none were asked for), and
/// an optional read-only root filesystem. Fills the <see cref="HostConfig"/> the mapper builds.
/// </summary>
internal static class ContainerHardening
{
    private const long NanoCpusPerMilliCpu = 1_000_000;

    public const string DropAllCapabilities = "ALL";
    public const string NoNewPrivileges = "no-new-privileges";

    /// <summary>
    /// Scratch space for a read-only root, in memory. noexec: with a read-only root nothing written at run time can
    /// then be executed, which is much of the point of asking for one. No size: tmpfs pages are charged to the
    /// container's memory cgroup, which always has a limit, so a full /tmp cannot take more than the container may.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ReadOnlyRootScratchMounts = new Dictionary<string, string>
    {
        ["/tmp"] = "rw,noexec,nosuid,nodev,mode=1777",
        ["/run"] = "rw,noexec,nosuid,nodev,mode=755",
    };

    public static void Apply(HostConfig host, ContainerSpec spec, DockerRuntimeOptions options)
    {
        // A memory limit always: the limit a container got by default is as real as an asked-for one, so the
        // engine's OOM kill and MissedOomKillDetector's guess (it looks at HostConfig.Memory > 0) hold for it too.
        host.Memory = spec.MemoryBytes > 0 ? spec.MemoryBytes : options.DefaultMemoryBytes;
        host.NanoCPUs = (spec.CpuMillis > 0 ? spec.CpuMillis : options.DefaultCpuMillis) * NanoCpusPerMilliCpu;
        // Limits hold for privileged containers too: they are about sharing the node, not about trust.
        host.PidsLimit = options.PidsLimit;
        host.ReadonlyRootfs = spec.ReadOnlyRootFilesystem;
        host.Tmpfs = spec.ReadOnlyRootFilesystem ? new Dictionary<string, string>(ReadOnlyRootScratchMounts) : null;

        host.Privileged = spec.Privileged;
        if (spec.Privileged)
        {
            // Privileged means every capability and device anyway; dropping capabilities or forbidding setuid
            // binaries would only make such a container half-work. Who may ask for it is the server's decision.
            return;
        }

        host.CapDrop = [DropAllCapabilities];
        host.CapAdd = [.. options.DefaultCapabilities];
        // setuid binaries and file capabilities cannot raise a process above what its container started with.
        host.SecurityOpt = [NoNewPrivileges];
    }
}
