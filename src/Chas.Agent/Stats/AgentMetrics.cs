using Chas.Runtime;
using Prometheus;

namespace Chas.Agent.Stats;

/// <summary>
/// The agent's `/metrics`, in a registry of this agent alone (`chas dev` and tests run several agents in one
/// process): its containers by state, how long a sampling round takes, and the node's latest CPU and memory use.
/// </summary>
internal sealed class AgentMetrics
{
    private readonly Gauge _containers;
    private readonly Histogram _sampleDuration;
    private readonly Counter _sampleFailures;
    private readonly Gauge _nodeCpu;
    private readonly Gauge _nodeMemory;

    public AgentMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _containers = factory.CreateGauge("chas_agent_containers", "Containers this agent manages on the engine, by state.", ["state"]);
        _sampleDuration = factory.CreateHistogram("chas_agent_stats_sample_duration_seconds",
            "Time one stats round takes (every running container and the node).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 12) });
        _sampleFailures = factory.CreateCounter("chas_agent_stats_sample_failures_total", "Container readings that failed or timed out.");
        _nodeCpu = factory.CreateGauge("chas_agent_node_cpu_cores", "CPU in use on the node, all processes, in cores (average of the last second).");
        _nodeMemory = factory.CreateGauge("chas_agent_node_memory_used_bytes", "Memory in use on the node (total minus available).");
        foreach (var state in Enum.GetValues<ContainerState>()) _containers.WithLabels(StateLabel(state)).Set(0);
    }

    public CollectorRegistry Registry { get; }

    public void Containers(IReadOnlyList<ContainerInfo> containers)
    {
        var counts = containers.CountBy(c => c.State).ToDictionary();
        foreach (var state in Enum.GetValues<ContainerState>()) _containers.WithLabels(StateLabel(state)).Set(counts.GetValueOrDefault(state));
    }

    public void SampleTook(TimeSpan elapsed) => _sampleDuration.Observe(elapsed.TotalSeconds);

    public void SampleFailed() => _sampleFailures.Inc();

    public void Node(long cpuMillis, long memoryBytes)
    {
        _nodeCpu.Set(cpuMillis / 1000.0);
        _nodeMemory.Set(memoryBytes);
    }

    private static string StateLabel(ContainerState state) => state.ToString().ToLowerInvariant();
}
