using System.Collections.Concurrent;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Chas.Runtime.Docker;

/// <summary>
/// Reads a container's counters with one GET /containers/{id}/stats?stream=false&amp;one-shot=true: answered at
/// once, without the engine's one-second wait for its own "previous" reading (the agent keeps the previous one).
/// The CPU limit is not in the stats, so it is read once per container with an inspect and remembered.
/// </summary>
internal sealed class DockerStats(IContainerOperations containers, string endpoint)
{
    // Bounded: ids of containers long gone are dropped wholesale rather than tracked one by one.
    private const int MaxRememberedLimits = 4096;
    private readonly ConcurrentDictionary<string, long> _cpuLimits = new(StringComparer.Ordinal);

    public async Task<ContainerStats?> ReadAsync(string containerId, CancellationToken cancellationToken)
    {
        ContainerStatsResponse? response = null;
        try
        {
            await EngineErrors.CallAsync(endpoint, $"reading stats of container {containerId}", async () =>
            {
                await containers.GetContainerStatsAsync(containerId, new ContainerStatsParameters { Stream = false, OneShot = true },
                    new SynchronousProgress(r => response = r), cancellationToken);
                return true;
            });
        }
        catch (RuntimeException e) when (e.InnerException is DockerContainerNotFoundException)
        {
            _cpuLimits.TryRemove(containerId, out _);
            return null;
        }
        // A stopped container answers 200 with zeroed counters and a read time of year 1.
        if (response is null || response.Read.Year < 2000) return null;
        var limit = await CpuLimitAsync(containerId, cancellationToken);
        return ToStats(response, limit);
    }

    internal static ContainerStats ToStats(ContainerStatsResponse response, long cpuLimitMillis)
    {
        var memory = response.MemoryStats;
        // What `docker stats` shows: usage without the inactive page cache (cgroup v2 names, then v1's).
        ulong inactive = 0;
        if (memory?.Stats is { } detail && !detail.TryGetValue("inactive_file", out inactive)) detail.TryGetValue("total_inactive_file", out inactive);
        var usage = memory?.Usage ?? 0;
        var networks = response.Networks?.Values ?? [];
        var blkio = response.BlkioStats?.IoServiceBytesRecursive ?? [];
        return new ContainerStats
        {
            ReadAt = new DateTimeOffset(DateTime.SpecifyKind(response.Read, DateTimeKind.Utc)),
            CpuUsageNanos = response.CPUStats?.CPUUsage?.TotalUsage ?? 0,
            CpuLimitMillis = cpuLimitMillis,
            MemoryBytes = (long)(usage > inactive ? usage - inactive : usage),
            MemoryLimitBytes = (long)Math.Min(memory?.Limit ?? 0, long.MaxValue),
            NetRxBytes = (long)networks.Aggregate(0UL, (sum, n) => sum + n.RxBytes),
            NetTxBytes = (long)networks.Aggregate(0UL, (sum, n) => sum + n.TxBytes),
            BlockReadBytes = (long)blkio.Where(e => string.Equals(e.Op, "read", StringComparison.OrdinalIgnoreCase)).Aggregate(0UL, (sum, e) => sum + e.Value),
            BlockWriteBytes = (long)blkio.Where(e => string.Equals(e.Op, "write", StringComparison.OrdinalIgnoreCase)).Aggregate(0UL, (sum, e) => sum + e.Value),
            Pids = (int)Math.Min(response.PidsStats?.Current ?? 0, int.MaxValue),
        };
    }

    private async Task<long> CpuLimitAsync(string containerId, CancellationToken cancellationToken)
    {
        if (_cpuLimits.TryGetValue(containerId, out var known)) return known;
        var inspected = await EngineErrors.CallAsync(endpoint, $"inspecting container {containerId}", async () =>
        {
            try
            {
                return await containers.InspectContainerAsync(containerId, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
                return null;
            }
        });
        var host = inspected?.HostConfig;
        var limit = host is null ? 0
            : host.NanoCPUs > 0 ? host.NanoCPUs / 1_000_000
            : host.CPUQuota > 0 && host.CPUPeriod > 0 ? host.CPUQuota * 1000 / host.CPUPeriod
            : 0;
        if (_cpuLimits.Count >= MaxRememberedLimits) _cpuLimits.Clear();
        _cpuLimits[containerId] = limit;
        return limit;
    }

    /// <summary>Takes the one report of a non-streamed answer on the reading thread (Progress&lt;T&gt; would post it later).</summary>
    private sealed class SynchronousProgress(Action<ContainerStatsResponse> report) : IProgress<ContainerStatsResponse>
    {
        public void Report(ContainerStatsResponse value) => report(value);
    }
}
