namespace Chas.Scheduling.Tests;

/// <summary>Short builders so that each test shows only what it is about.</summary>
internal static class TestData
{
    public const long GiB = 1024L * 1024 * 1024;

    public static ResourceAmounts Amounts(long cpuMillis, long memoryBytes) => new() { CpuMillis = cpuMillis, MemoryBytes = memoryBytes };

    public static NodeSnapshot Node(
        string name,
        long cpuMillis = 4000,
        long memoryBytes = 8 * GiB,
        long allocatedCpu = 0,
        long allocatedMemory = 0,
        int workloads = 0,
        bool ready = true,
        bool schedulable = true,
        PortRange? portRange = null,
        IEnumerable<string>? usedPorts = null,
        IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyList<int>? gpus = null,
        IEnumerable<int>? usedGpus = null,
        IReadOnlyDictionary<string, int>? groupCounts = null) => new()
        {
            Name = name,
            Address = $"{name}.nodes.test",
            Ready = ready,
            Schedulable = schedulable,
            Allocatable = Amounts(cpuMillis, memoryBytes),
            Allocated = Amounts(allocatedCpu, allocatedMemory),
            Workloads = workloads,
            PortRange = portRange ?? new PortRange(20000, 29999),
            UsedPorts = new HashSet<string>(usedPorts ?? []),
            Labels = labels ?? new Dictionary<string, string>(),
            Gpus = gpus ?? [],
            UsedGpus = new HashSet<int>(usedGpus ?? []),
            GroupCounts = groupCounts ?? new Dictionary<string, int>(),
        };

    public static PlacementRequest Request(
        long cpuMillis = 0,
        long memoryBytes = 0,
        PlacementStrategy strategy = PlacementStrategy.Spread,
        IReadOnlyList<PortMapping>? ports = null,
        IReadOnlyDictionary<string, string>? nodeSelector = null,
        string name = "web",
        int gpus = 0,
        IReadOnlyList<int>? gpuIndices = null,
        string? group = null) => new()
        {
            Name = name,
            Requests = Amounts(cpuMillis, memoryBytes),
            Strategy = strategy,
            Ports = ports ?? [],
            NodeSelector = nodeSelector ?? new Dictionary<string, string>(),
            Gpus = gpus,
            GpuIndices = gpuIndices ?? [],
            Group = group,
        };

    public static PortMapping Auto(int containerPort = 80, string protocol = "tcp") => new() { ContainerPort = containerPort, Protocol = protocol };

    public static PortMapping Fixed(int hostPort, int containerPort = 80, string protocol = "tcp") =>
        new() { ContainerPort = containerPort, HostPort = hostPort, Protocol = protocol };

    public static ClusterSnapshot Cluster(params NodeSnapshot[] nodes) => new(nodes);
}
