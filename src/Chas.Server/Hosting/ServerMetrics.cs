using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.Leadership;
using Chas.Server.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace Chas.Server.Hosting;

/// <summary>
/// The server's `/metrics` (Prometheus text), in a registry of this server alone (tests run several in one
/// process). Request latency and scheduling are observed as they happen; everything about the cluster (tasks by
/// state, the scheduler's queue, node resources, heartbeat age) is read from the cache when Prometheus scrapes,
/// so it costs nothing between scrapes.
/// </summary>
public sealed class ServerMetrics
{
    private readonly ClusterCache _cache;
    private readonly NodeLiveness _liveness;
    private readonly TimeProvider _time;
    private readonly LeaderElection _election;
    private readonly Histogram _requests;
    private readonly Histogram _schedulingPass;
    private readonly Histogram _bindLatency;
    private readonly Gauge _pending;
    private readonly Gauge _tasks;
    private readonly Gauge _nodeReady;
    private readonly Gauge _nodeCpu;
    private readonly Gauge _nodeMemory;
    private readonly Gauge _heartbeatAge;
    private readonly Gauge _leader;

    public ServerMetrics(ClusterCache cache, NodeLiveness liveness, TimeProvider time, LeaderElection election)
    {
        (_cache, _liveness, _time, _election) = (cache, liveness, time, election);
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateHistogram("chas_http_request_duration_seconds",
            "API requests by route template, method and status class (2xx, 4xx, …), from the first byte in to the last out.",
            ["route", "method", "status"], new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        _schedulingPass = factory.CreateHistogram("chas_scheduler_pass_duration_seconds",
            "One scheduling pass over every pending task, commits included.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 18) });
        _bindLatency = factory.CreateHistogram("chas_scheduler_binding_latency_seconds",
            "From a task's creation to its binding to a node.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 20) });
        _pending = factory.CreateGauge("chas_scheduler_queue_depth", "Tasks waiting for a node (pending, not stopped).");
        _tasks = factory.CreateGauge("chas_tasks", "Tasks by status; kind is \"instance\" for deployment instances, \"task\" otherwise.", ["status", "kind"]);
        _nodeReady = factory.CreateGauge("chas_node_ready", "1 when the node is ready, 0 otherwise.", ["node"]);
        _nodeCpu = factory.CreateGauge("chas_node_cpu_cores", "CPU of the node: allocatable (capacity − reserved) or allocated to tasks.", ["node", "type"]);
        _nodeMemory = factory.CreateGauge("chas_node_memory_bytes", "Memory of the node: allocatable (capacity − reserved) or allocated to tasks.", ["node", "type"]);
        _heartbeatAge = factory.CreateGauge("chas_node_heartbeat_age_seconds", "Time since the node's last heartbeat.", ["node"]);
        _leader = factory.CreateGauge("chas_leader", "1 while this server is the leader (runs the scheduler and controllers), 0 while it follows.");
        Registry.AddBeforeCollectCallback(ReadCluster);
    }

    public CollectorRegistry Registry { get; }

    public void RequestEnded(string route, string method, int statusCode, TimeSpan elapsed) =>
        _requests.WithLabels(route, method, $"{statusCode / 100}xx").Observe(elapsed.TotalSeconds);

    public void SchedulingPass(TimeSpan elapsed) => _schedulingPass.Observe(elapsed.TotalSeconds);

    public void Bound(DateTimeOffset createdAt, DateTimeOffset boundAt) => _bindLatency.Observe(Math.Max(0, (boundAt - createdAt).TotalSeconds));

    private void ReadCluster()
    {
        _leader.Set(_election.IsLeader ? 1 : 0);
        var tasks = _cache.Tasks();
        var nodes = _cache.Nodes();
        _pending.Set(_cache.PendingTasks().Count);

        var counts = tasks.CountBy(t => (t.Status, Instance: t.Deployment is not null)).ToDictionary();
        foreach (var phase in Enum.GetValues<TaskPhase>())
            foreach (var instance in (bool[])[false, true])
                _tasks.WithLabels(phase.ToWire(), instance ? "instance" : "task").Set(counts.GetValueOrDefault((phase, instance)));

        var allocations = NodeAllocations.Compute(tasks);
        var now = _time.GetUtcNow();
        foreach (var node in nodes)
        {
            var allocated = allocations.GetValueOrDefault(node.Name) ?? new NodeAllocation();
            _nodeReady.WithLabels(node.Name).Set(node.Status == NodeStatus.Ready ? 1 : 0);
            _nodeCpu.WithLabels(node.Name, "allocatable").Set(node.Allocatable.CpuMillis / 1000.0);
            _nodeCpu.WithLabels(node.Name, "allocated").Set(allocated.CpuMillis / 1000.0);
            _nodeMemory.WithLabels(node.Name, "allocatable").Set(node.Allocatable.MemoryBytes);
            _nodeMemory.WithLabels(node.Name, "allocated").Set(allocated.MemoryBytes);
            _heartbeatAge.WithLabels(node.Name).Set(Math.Max(0, (now - _liveness.LastSeen(node.Name)).TotalSeconds));
        }
        // Nodes that were removed leave no stale series behind.
        var names = nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gauge in (Gauge[])[_nodeReady, _nodeCpu, _nodeMemory, _heartbeatAge])
            foreach (var labels in gauge.GetAllLabelValues().Where(l => !names.Contains(l[0])).ToList())
                gauge.RemoveLabelled(labels);
    }
}

public static class ServerMetricsExtensions
{
    public static IServiceCollection AddServerMetrics(this IServiceCollection services)
    {
        services.TryAddSingleton<ServerMetrics>();
        return services;
    }

    /// <summary>Times every request (place it right after routing, so the route template is known) and maps `/metrics`.</summary>
    public static WebApplication UseServerMetrics(this WebApplication app)
    {
        app.UseMiddleware<HttpMetricsMiddleware>();
        // Prometheus scrapes with an API token of a viewer or above (see docs/configuration.md).
        app.MapMetrics("/metrics", app.Services.GetRequiredService<ServerMetrics>().Registry)
            .RequireAccess(AccessLevel.ClusterRead).ExcludeFromDescription();
        return app;
    }
}
