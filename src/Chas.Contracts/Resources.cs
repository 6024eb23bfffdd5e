namespace Chas.Contracts;

/// <summary>CPU in millicores and memory in bytes: the canonical units everywhere past the CLI.</summary>
public sealed record ResourceAmounts
{
    public long CpuMillis { get; init; }
    public long MemoryBytes { get; init; }

    public static ResourceAmounts Zero { get; } = new();

    public ResourceAmounts Add(ResourceAmounts other) =>
        new() { CpuMillis = CpuMillis + other.CpuMillis, MemoryBytes = MemoryBytes + other.MemoryBytes };

    public ResourceAmounts Subtract(ResourceAmounts other) =>
        new() { CpuMillis = CpuMillis - other.CpuMillis, MemoryBytes = MemoryBytes - other.MemoryBytes };
}
