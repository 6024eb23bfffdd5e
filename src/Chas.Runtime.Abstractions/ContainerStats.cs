namespace Chas.Runtime;

/// <summary>
/// A container's counters at one moment, as the engine reports them: cumulative ones (CPU time, bytes moved) only
/// mean something as the difference between two readings; the others (memory, pids) are current values.
/// </summary>
public sealed record ContainerStats
{
    /// <summary>When the engine read the counters.</summary>
    public DateTimeOffset ReadAt { get; init; }
    /// <summary>CPU time the container used since it started, all cores together.</summary>
    public ulong CpuUsageNanos { get; init; }
    /// <summary>The container's CPU limit in millicores; 0: none.</summary>
    public long CpuLimitMillis { get; init; }
    /// <summary>Memory in use, without the page cache the kernel can drop (what `docker stats` shows).</summary>
    public long MemoryBytes { get; init; }
    public long MemoryLimitBytes { get; init; }
    public long NetRxBytes { get; init; }
    public long NetTxBytes { get; init; }
    public long BlockReadBytes { get; init; }
    public long BlockWriteBytes { get; init; }
    public int Pids { get; init; }

    /// <summary>
    /// Average CPU use in millicores between <paramref name="earlier"/> and this reading: CPU time used over wall time
    /// passed. 0 when the readings are not in order or the counter went back (the container restarted in between).
    /// </summary>
    public long CpuMillisSince(ContainerStats earlier)
    {
        var wall = (ReadAt - earlier.ReadAt).Ticks * 100.0; // nanoseconds
        if (wall <= 0 || CpuUsageNanos < earlier.CpuUsageNanos) return 0;
        return (long)Math.Round((CpuUsageNanos - earlier.CpuUsageNanos) / wall * 1000);
    }
}
