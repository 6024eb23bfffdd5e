using System.Text.Json.Serialization;

namespace Chas.Contracts;

/// <summary>What happens when a container exits: tasks default to never, deployment instances always restart.</summary>
[JsonConverter(typeof(WireEnumConverter<RestartPolicy>))]
public enum RestartPolicy
{
    [JsonStringEnumMemberName("never")] Never,
    [JsonStringEnumMemberName("on-failure")] OnFailure,
    [JsonStringEnumMemberName("always")] Always,
}

/// <summary>How the scheduler picks among nodes that fit: spread (least allocated, default) or binpack (most allocated).</summary>
[JsonConverter(typeof(WireEnumConverter<PlacementStrategyName>))]
public enum PlacementStrategyName
{
    [JsonStringEnumMemberName("spread")] Spread,
    [JsonStringEnumMemberName("binpack")] Binpack,
}

[JsonConverter(typeof(WireEnumConverter<ProbeType>))]
public enum ProbeType
{
    [JsonStringEnumMemberName("http")] Http,
    [JsonStringEnumMemberName("tcp")] Tcp,
    [JsonStringEnumMemberName("exec")] Exec,
}

/// <summary>
/// A health probe (seed 5). http and tcp probes reach the container through its published port on
/// the node's address; exec runs a command inside the container. Defaults as Kubernetes: every 10 s,
/// 1 s timeout, 3 failures make it unhealthy, 1 success healthy again.
/// </summary>
public sealed record ProbeSpec
{
    public ProbeType Type { get; init; } = ProbeType.Tcp;
    /// <summary>Container port for http/tcp; must be one of the workload's ports.</summary>
    public int? Port { get; init; }
    /// <summary>Path for http probes; any 2xx or 3xx answer is healthy.</summary>
    public string? Path { get; init; }
    /// <summary>Command for exec probes; exit code 0 is healthy.</summary>
    public IReadOnlyList<string>? Command { get; init; }
    public double InitialDelaySeconds { get; init; }
    public double PeriodSeconds { get; init; } = 10;
    public double TimeoutSeconds { get; init; } = 1;
    public int FailureThreshold { get; init; } = 3;
    public int SuccessThreshold { get; init; } = 1;
}

/// <summary>A GPU a node has, as nvidia-smi reports it.</summary>
public sealed record GpuInfo
{
    public int Index { get; init; }
    public string Model { get; init; } = "";
    public long MemoryBytes { get; init; }
}
