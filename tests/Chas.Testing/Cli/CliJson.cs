using System.Text.Json;

namespace Chas.Testing.Cli;

/// <summary>
/// The CLI's JSON as a script would read it: by field name, statuses as the strings printed, and
/// fields the tests do not know about ignored.
/// </summary>
public static class CliJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static T Parse<T>(CliResult result)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(result.Stdout, Options) ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"the output is not the expected JSON ({ex.Message})\n{result}", ex);
        }
    }
}

public sealed record CliPublishedPort(int ContainerPort, int HostPort, string Protocol, string HostIp);

public sealed record CliTask
{
    public string Name { get; init; } = "";
    public string Uid { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Reason { get; init; }
    public string? Node { get; init; }
    public int? ExitCode { get; init; }
    public string? Error { get; init; }
    public string? ContainerId { get; init; }
    public IReadOnlyList<CliPublishedPort> PublishedPorts { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>The deployment this is an instance of (null for a standalone task), and its revision.</summary>
    public string? Deployment { get; init; }
    public int? Revision { get; init; }
    public bool Ready { get; init; }
    /// <summary>Asked to stop (scale-down, update, drain, `chas stop`); the agent has yet to stop it if still running.</summary>
    public bool StopRequested { get; init; }
    public int RestartCount { get; init; }
    public IReadOnlyList<int> AssignedGpus { get; init; } = [];

    public override string ToString() =>
        $"{Name} {Status} node={Node ?? "-"} exit={ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} reason={Reason ?? "-"} error={Error ?? "-"}"
        + (Deployment is null ? "" : $" deployment={Deployment}@{Revision} ready={Ready} restarts={RestartCount}");
}

public sealed record CliNode
{
    public string Name { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Reason { get; init; }
    public string Address { get; init; } = "";
    public string AgentUrl { get; init; } = "";
    public DateTimeOffset LastHeartbeat { get; init; }
    public IReadOnlyList<CliGpu> Gpus { get; init; } = [];
    public bool Unschedulable { get; init; }
    public bool Draining { get; init; }

    public override string ToString() =>
        $"{Name} {Status} {Address} reason={Reason ?? "-"} gpus={Gpus.Count} unschedulable={Unschedulable} draining={Draining}";
}

public sealed record CliGpu(int Index, string Model, long MemoryBytes);

public sealed record CliDeployment
{
    public string Name { get; init; } = "";
    /// <summary>"replicated" or "system".</summary>
    public string Mode { get; init; } = "";
    public int Replicas { get; init; }
    public int Revision { get; init; }
    public int ReadyReplicas { get; init; }
    public int UpdatedReplicas { get; init; }
    public string RolloutStatus { get; init; } = "";
    public string? RolloutMessage { get; init; }

    public override string ToString() =>
        $"{Name} revision={Revision} ready={ReadyReplicas}/{Replicas} updated={UpdatedReplicas} rollout={RolloutStatus} ({RolloutMessage ?? "-"})";
}
