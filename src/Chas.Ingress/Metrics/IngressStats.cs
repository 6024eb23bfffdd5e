using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chas.Ingress.Metrics;

/// <summary>GET /ingress/v1/stats: the routes in force and the traffic each deployment got (the numbers of /metrics).</summary>
public sealed record IngressStats
{
    public DateTimeOffset At { get; init; }
    /// <summary>False until the first list from the server arrived.</summary>
    public bool Synced { get; init; }
    public IReadOnlyList<RouteStats> Routes { get; init; } = [];
    public IReadOnlyList<DeploymentTraffic> Deployments { get; init; } = [];
}

public sealed record RouteStats
{
    public string Host { get; init; } = "";
    public string Path { get; init; } = "";
    public IReadOnlyList<string> Deployments { get; init; } = [];
    public string LoadBalancing { get; init; } = "";
    /// <summary>Ready instances routed to.</summary>
    public int Destinations { get; init; }
    /// <summary>Of those, the ones passive health has not taken out.</summary>
    public int Available { get; init; }
}

public sealed record DeploymentTraffic
{
    /// <summary>"namespace/name" (several joined by commas when a canary had nothing ready).</summary>
    public string Deployment { get; init; } = "";
    public long Requests { get; init; }
    /// <summary>Requests by HTTP status code ("200" → count).</summary>
    public Dictionary<string, long> ByStatus { get; init; } = new(StringComparer.Ordinal);
    public long InFlight { get; init; }
    public double DurationSecondsSum { get; init; }
    public long DurationCount { get; init; }
    public double MeanDurationMs { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IngressStats))]
internal sealed partial class IngressJsonContext : JsonSerializerContext;
