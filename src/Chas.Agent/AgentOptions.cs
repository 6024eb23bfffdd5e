using Chas.Client.Failover;
using Chas.Contracts;

namespace Chas.Agent;

public sealed record AgentOptions
{
    public required Uri Server { get; init; }
    /// <summary>Further servers of the same cluster (one database): the agent moves to one of them when the one in use dies.</summary>
    public IReadOnlyList<Uri> OtherServers { get; init; } = [];
    /// <summary><see cref="Server"/> first, then <see cref="OtherServers"/>.</summary>
    public ServerEndpoints AllServers => new([Server, .. OtherServers]);
    public required string Token { get; init; }
    /// <summary>PEM of the CA the server's certificate must chain to (a server with its own CA); null: system trust.</summary>
    public string? CertificateAuthorityPem { get; init; }
    public required string NodeName { get; init; }
    /// <summary>The node's address: published ports bind here and the server reaches the agent here.</summary>
    public required string Address { get; init; }
    public PortRange PortRange { get; init; } = new(20000, 29999);
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Port of the agent's own API (logs for the server); 0 picks a free one.</summary>
    public int ApiPort { get; init; } = 7071;
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>How long a stopped container gets between SIGTERM and SIGKILL.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long an exposed instance keeps running after it left the ingress, before SIGTERM.</summary>
    public TimeSpan DrainDelay { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Crash-loop back-off: first delay, cap, and how long a run must last to start over.</summary>
    public TimeSpan RestartBackoffInitial { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan RestartBackoffMax { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan RestartBackoffReset { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Kept back for the system: the server places work on capacity − reserve.</summary>
    public long ReserveCpuMillis { get; init; }
    public long ReserveMemoryBytes { get; init; }
    /// <summary>The nvidia-smi to ask about GPUs (tests put a fake one first on PATH).</summary>
    public string NvidiaSmi { get; init; } = "nvidia-smi";
    /// <summary>Overrides of what the engine reports, e.g. to share one machine between test agents.</summary>
    public long? CpuMillis { get; init; }
    public long? MemoryBytes { get; init; }
}
