using System.Globalization;
using Chas.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Chas.Agent.Stats;

/// <summary>
/// The sampled stats for the server (under /v1, behind the node credential) and `/metrics` for Prometheus.
/// `/metrics` needs no credential: Prometheus does not hold the node's, and the agent listens only on the node's
/// address (see docs/configuration.md); it shows counts and durations, no workload data.
/// </summary>
internal static class AgentStatsApi
{
    public static void Map(IEndpointRouteBuilder app, RouteGroupBuilder v1)
    {
        v1.MapGet("/stats/node", (StatsCollector stats, string? since, bool latest = false) =>
            ParseSince(since, out var from) is { } problem ? problem
                : Results.Json(stats.NodeSeries(from, latest), ChasJsonContext.Default.StatsSeries));
        v1.MapGet("/stats/containers", (StatsCollector stats) =>
            Results.Json(stats.LatestOfContainers(), ChasJsonContext.Default.IReadOnlyListStatsSeries));
        v1.MapGet("/stats/containers/{id}", (string id, StatsCollector stats, string? since) =>
            ParseSince(since, out var from) is { } problem ? problem
                : stats.ContainerSeriesOf(id, from) is { } series ? Results.Json(series, ChasJsonContext.Default.StatsSeries)
                : Results.Problem(statusCode: 404, detail: $"no stats of container '{id}': it is not running on this node"));
        app.MapMetrics("/metrics", app.ServiceProvider.GetRequiredService<AgentMetrics>().Registry);
    }

    private static IResult? ParseSince(string? since, out DateTimeOffset? from)
    {
        from = null;
        if (string.IsNullOrEmpty(since)) return null;
        if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            from = parsed;
            return null;
        }
        return Results.Problem(statusCode: 400, detail: $"since: '{since}' is not a time (ISO 8601, e.g. 2025-01-31T12:00:00Z)");
    }
}
