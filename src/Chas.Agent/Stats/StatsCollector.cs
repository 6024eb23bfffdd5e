using System.Collections.Concurrent;
using Chas.Contracts;
using Chas.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Agent.Stats;

/// <summary>
/// Samples every running container of this agent and the node itself once a second into rings of ten minutes.
/// A round costs one engine list plus one stats call per container, all in parallel; a round that overruns the
/// second makes the timer skip ticks instead of queueing them. Containers that are gone are dropped.
/// </summary>
internal sealed partial class StatsCollector(IContainerRuntime runtime, AgentOptions options, NodeCredentialHolder identity, AgentMetrics metrics,
    TimeProvider time, ILogger<StatsCollector> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    // A reading slower than this is dropped for the round: better a gap than a pile-up behind a stuck engine.
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, ContainerSeries> _containers = new(StringComparer.Ordinal);
    private readonly StatsRing _node = new();
    private NodeCounters? _lastNode;
    private bool _hasGpus;

    /// <summary>Where the node's counters come from (tests give fixed ones).</summary>
    internal Func<NodeCounters> ReadNodeCounters { get; init; } = NodeCounters.Read;

    private sealed class ContainerSeries(string id, ContainerInfo info)
    {
        public string Id { get; } = id;
        public string Task { get; } = info.Labels.GetValueOrDefault(ContainerLabels.Task, info.Name);
        public string? Namespace { get; } = info.Labels.GetValueOrDefault(ContainerLabels.Namespace);
        public StatsRing Ring { get; } = new();
        public ContainerStats? Last { get; set; }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            _hasGpus = (await Gpus.NvidiaSmi.DetectAsync(options.NvidiaSmi, stoppingToken, time)).Count > 0;
            using var timer = new PeriodicTimer(Interval, time);
            do
            {
                try
                {
                    await SampleOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is RuntimeException or IOException)
                {
                    LogRoundFailed(logger, ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: the node and every running container of this agent.</summary>
    internal async Task SampleOnceAsync(CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var containers = (await runtime.ListAsync(ContainerLabels.OfNode(options.NodeName), ct))
            .Where(c => ContainerLabels.BelongTo(c.Labels, options.NodeName, identity.ClusterMark)).ToList();
        metrics.Containers(containers);
        var running = containers.Where(c => c.State == ContainerState.Running).ToDictionary(c => c.Id, StringComparer.Ordinal);
        foreach (var id in _containers.Keys.Where(id => !running.ContainsKey(id)).ToList()) _containers.TryRemove(id, out _);

        var node = SampleNodeAsync(ct);
        await Task.WhenAll(running.Values.Select(c => SampleContainerAsync(c, ct)));
        await node;
        metrics.SampleTook(time.GetElapsedTime(started));
    }

    /// <param name="latest">Only the newest sample (what `chas top nodes` shows).</param>
    public StatsSeries NodeSeries(DateTimeOffset? since, bool latest = false) => new()
    {
        Kind = StatsSeries.NodeKind, Name = options.NodeName, Node = options.NodeName,
        Samples = latest ? (_node.Latest is { } last ? [last] : []) : _node.Since(since),
    };

    public StatsSeries? ContainerSeriesOf(string containerId, DateTimeOffset? since) =>
        _containers.TryGetValue(containerId, out var series) ? Present(series, series.Ring.Since(since)) : null;

    /// <summary>The latest sample of every container sampled at least twice (CPU needs two readings).</summary>
    public IReadOnlyList<StatsSeries> LatestOfContainers() =>
        [.. _containers.Values.Select(s => (Series: s, Latest: s.Ring.Latest)).Where(x => x.Latest is not null)
            .OrderBy(x => x.Series.Namespace, StringComparer.Ordinal).ThenBy(x => x.Series.Task, StringComparer.Ordinal)
            .Select(x => Present(x.Series, [x.Latest!]))];

    private StatsSeries Present(ContainerSeries series, IReadOnlyList<StatsSample> samples) => new()
    {
        Kind = StatsSeries.TaskKind, Name = series.Task, Namespace = series.Namespace, Node = options.NodeName,
        ContainerId = series.Id, Samples = samples,
    };

    private async Task SampleContainerAsync(ContainerInfo container, CancellationToken ct)
    {
        ContainerStats? stats;
        try
        {
            using var timeout = new CancellationTokenSource(ReadTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            stats = await runtime.GetStatsAsync(container.Id, linked.Token);
        }
        catch (Exception ex) when (ex is RuntimeException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            metrics.SampleFailed();
            return;
        }
        if (stats is null)
        {
            _containers.TryRemove(container.Id, out _);
            return;
        }
        var series = _containers.GetOrAdd(container.Id, id => new ContainerSeries(id, container));
        // The first reading only starts the CPU clock: a sample needs the difference of two.
        if (series.Last is { } previous) series.Ring.Add(ToSample(stats, previous, time.GetUtcNow()));
        series.Last = stats;
    }

    internal static StatsSample ToSample(ContainerStats stats, ContainerStats previous, DateTimeOffset at)
    {
        var cpu = stats.CpuMillisSince(previous);
        return new StatsSample
        {
            Time = at,
            CpuMillis = cpu,
            CpuPercent = stats.CpuLimitMillis > 0 ? Math.Round(cpu * 100.0 / stats.CpuLimitMillis, 1) : 0,
            MemoryBytes = stats.MemoryBytes,
            MemoryLimitBytes = stats.MemoryLimitBytes,
            NetRxBytes = stats.NetRxBytes,
            NetTxBytes = stats.NetTxBytes,
            BlockReadBytes = stats.BlockReadBytes,
            BlockWriteBytes = stats.BlockWriteBytes,
            Pids = stats.Pids,
        };
    }

    private async Task SampleNodeAsync(CancellationToken ct)
    {
        var counters = ReadNodeCounters();
        var gpus = _hasGpus ? await GpuUsageReader.ReadAsync(options.NvidiaSmi, TimeSpan.FromMilliseconds(900), time, ct) : null;
        var previous = _lastNode;
        _lastNode = counters;
        if (previous is null) return;
        var (cpuMillis, cpuPercent) = counters.CpuSince(previous);
        var (fsUsed, fsTotal) = RootFilesystem();
        _node.Add(new StatsSample
        {
            Time = time.GetUtcNow(),
            CpuMillis = cpuMillis,
            CpuPercent = cpuPercent,
            MemoryBytes = counters.MemoryUsedBytes,
            MemoryLimitBytes = counters.MemoryTotalBytes,
            NetRxBytes = counters.NetRxBytes,
            NetTxBytes = counters.NetTxBytes,
            BlockReadBytes = counters.BlockReadBytes,
            BlockWriteBytes = counters.BlockWriteBytes,
            FilesystemUsedBytes = fsUsed,
            FilesystemTotalBytes = fsTotal,
            Gpus = gpus,
        });
        metrics.Node(cpuMillis, counters.MemoryUsedBytes);
    }

    private static (long? Used, long? Total) RootFilesystem()
    {
        try
        {
            var drive = new DriveInfo("/");
            return (drive.TotalSize - drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (null, null);
        }
    }

    [LoggerMessage(EventId = 3400, Level = LogLevel.Debug, Message = "Stats round failed: {Reason}")]
    private static partial void LogRoundFailed(ILogger logger, string reason);
}
