using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chas.Agent.Stats;
using Chas.Contracts;
using Chas.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chas.Agent.Tests;

public sealed class StatsTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 31, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_ring_keeps_the_newest_samples_oldest_first()
    {
        var ring = new StatsRing(3);
        Assert.Null(ring.Latest);
        for (var i = 1; i <= 5; i++) ring.Add(new StatsSample { Time = T0.AddSeconds(i), CpuMillis = i });

        Assert.Equal([3L, 4L, 5L], ring.Since(null).Select(s => s.CpuMillis));
        Assert.Equal([5L], ring.Since(T0.AddSeconds(4)).Select(s => s.CpuMillis));
        Assert.Empty(ring.Since(T0.AddSeconds(5)));
        Assert.Equal(5, ring.Latest!.CpuMillis);
    }

    [Fact]
    public void The_default_ring_holds_ten_minutes_at_one_sample_a_second() => Assert.Equal(600, new StatsRing().Capacity);

    [Theory]
    [InlineData(500_000_000UL, 1000, 500)]    // half a core for a second
    [InlineData(3_000_000_000UL, 2000, 1500)] // one and a half cores for two seconds
    [InlineData(0UL, 1000, 0)]
    public void Container_cpu_is_cpu_time_over_wall_time(ulong usedNanos, int wallMillis, long expectedMillis)
    {
        var earlier = new ContainerStats { ReadAt = T0, CpuUsageNanos = 10_000_000_000 };
        var later = new ContainerStats { ReadAt = T0.AddMilliseconds(wallMillis), CpuUsageNanos = earlier.CpuUsageNanos + usedNanos };

        Assert.Equal(expectedMillis, later.CpuMillisSince(earlier));
    }

    [Fact]
    public void A_restarted_container_or_readings_out_of_order_show_no_cpu()
    {
        var earlier = new ContainerStats { ReadAt = T0, CpuUsageNanos = 10_000_000_000 };
        Assert.Equal(0, (earlier with { ReadAt = T0.AddSeconds(1), CpuUsageNanos = 1_000 }).CpuMillisSince(earlier));
        Assert.Equal(0, (earlier with { CpuUsageNanos = 20_000_000_000 }).CpuMillisSince(earlier));
    }

    [Fact]
    public void A_sample_gives_cpu_as_a_share_of_the_limit()
    {
        var earlier = new ContainerStats { ReadAt = T0, CpuUsageNanos = 0, CpuLimitMillis = 500 };
        var later = earlier with { ReadAt = T0.AddSeconds(1), CpuUsageNanos = 250_000_000, MemoryBytes = 10, MemoryLimitBytes = 100, NetRxBytes = 7, Pids = 3 };

        var sample = StatsCollector.ToSample(later, earlier, T0);

        Assert.Equal(250, sample.CpuMillis);
        Assert.Equal(50, sample.CpuPercent);
        Assert.Equal((10L, 100L, 7L, 3), (sample.MemoryBytes, sample.MemoryLimitBytes, sample.NetRxBytes, sample.Pids));
    }

    [Fact]
    public void Node_counters_come_from_proc_and_cpu_is_the_busy_share_of_all_cores()
    {
        const string Meminfo = "MemTotal:        8000000 kB\nMemFree:          100000 kB\nMemAvailable:    6000000 kB\n";
        const string NetDev = "Inter-|   Receive                                                |  Transmit\n"
            + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
            + "    lo: 999 1 0 0 0 0 0 0 999 1 0 0 0 0 0 0\n"
            + "  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n"
            + "vethab: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n";
        const string Diskstats = "   8       0 sda 100 0 10 0 50 0 20 0 0 0 0\n   8       1 sda1 100 0 10 0 50 0 20 0 0 0 0\n   7       0 loop0 1 0 99 0 1 0 99 0 0 0 0\n";
        static string Stat(ulong user, ulong idle) => $"cpu  {user} 0 0 {idle} 0 0 0 0 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\ncpu1 1 0 0 1 0 0 0 0 0 0\nintr 1\n";
        bool Disk(string name) => name is "sda" or "loop0";

        var before = NodeCounters.Parse(Stat(100, 900), Meminfo, NetDev, Diskstats, Disk);
        var after = NodeCounters.Parse(Stat(250, 950), Meminfo, NetDev, Diskstats, Disk);

        Assert.Equal(2, after.Cores);
        Assert.Equal(8_000_000L * 1024, after.MemoryTotalBytes);
        Assert.Equal(2_000_000L * 1024, after.MemoryUsedBytes);
        Assert.Equal((1000L, 2000L), (after.NetRxBytes, after.NetTxBytes));
        Assert.Equal((10L * 512, 20L * 512), (after.BlockReadBytes, after.BlockWriteBytes));
        // 150 of 200 jiffies busy: three quarters of two cores.
        Assert.Equal((1500L, 75.0), after.CpuSince(before));
    }

    [Fact]
    public void Gpu_usage_lines_of_nvidia_smi_are_parsed()
    {
        var gpus = GpuUsageReader.Parse("0, 87, 40321\n1, [N/A], 0\n");

        Assert.Equal(2, gpus.Count);
        Assert.Equal(new GpuUsage { Index = 0, UtilizationPercent = 87, MemoryUsedBytes = 40321L * 1024 * 1024 }, gpus[0]);
        Assert.Equal(0, gpus[1].UtilizationPercent);
    }

    [Fact]
    public async Task The_collector_samples_running_containers_of_its_node_and_forgets_those_gone()
    {
        var runtime = new FakeContainerRuntime();
        var mine = runtime.AddRunning("web", new Dictionary<string, string>(ContainerLabels.OfNode("n1")) { [ContainerLabels.Task] = "web", [ContainerLabels.Namespace] = "default" });
        runtime.AddRunning("other", ContainerLabels.OfNode("n2"));
        var readings = 0;
        runtime.OnStats = _ =>
        {
            readings++;
            return new ContainerStats { ReadAt = T0.AddSeconds(readings), CpuUsageNanos = (ulong)readings * 400_000_000, CpuLimitMillis = 1000, MemoryBytes = 42 };
        };
        var metrics = new AgentMetrics();
        var collector = new StatsCollector(runtime, Options("n1"), new NodeCredentialHolder(Options("n1")), metrics, TimeProvider.System, NullLogger<StatsCollector>.Instance)
        {
            ReadNodeCounters = () => new NodeCounters { CpuBusy = 1, CpuTotal = 2, Cores = 1, MemoryTotalBytes = 100, MemoryUsedBytes = 50 },
        };

        await collector.SampleOnceAsync(CancellationToken.None);
        Assert.Empty(collector.ContainerSeriesOf(mine, null)!.Samples); // one reading: no CPU yet
        await collector.SampleOnceAsync(CancellationToken.None);
        await collector.SampleOnceAsync(CancellationToken.None);

        Assert.Equal(3, readings); // only n1's container was read, once a round
        var series = collector.ContainerSeriesOf(mine, null)!;
        Assert.Equal(("web", "default", "n1", mine), (series.Name, series.Namespace, series.Node, series.ContainerId));
        Assert.Equal([400L, 400L], series.Samples.Select(s => s.CpuMillis));
        Assert.Equal(40, series.Samples[^1].CpuPercent);
        Assert.Equal(mine, Assert.Single(collector.LatestOfContainers()).ContainerId);
        Assert.Equal(2, collector.NodeSeries(null).Samples.Count);
        Assert.Single(collector.NodeSeries(null, latest: true).Samples);

        runtime.ExitContainer(mine, 0);
        await collector.SampleOnceAsync(CancellationToken.None);
        Assert.Null(collector.ContainerSeriesOf(mine, null));
        Assert.Empty(collector.LatestOfContainers());
    }

    [Fact]
    public async Task The_agent_serves_stats_to_its_server_only_and_metrics_to_anyone()
    {
        await using var server = await TestServer.StartAsync();
        var runtime = new FakeContainerRuntime();
        await using var agent = new TestAgent(server, runtime);
        await agent.StartAsync();
        var node = await server.Admin.GetNodeAsync("n1");
        using var http = new HttpClient { BaseAddress = new Uri(node.AgentUrl) };

        using (var anonymous = await http.GetAsync("v1/stats/node"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/stats/node");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Chas.Server.Auth.OpaqueTokens.NodeCredential(server.Secrets.NodeCredentialKey, "n1"));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var series = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), ChasJsonContext.Default.StatsSeries)!;
        Assert.Equal(("node", "n1"), (series.Kind, series.Name));

        // Through the server: the node's samples appear within a few seconds (the first needs two readings).
        var viaServer = await Eventually.WaitAsync(() => server.Admin.GetNodeStatsAsync("n1"), s => s.Samples.Count > 0, "node samples", TimeSpan.FromSeconds(10));
        Assert.Null(viaServer.Error);
        Assert.True(viaServer.Samples[^1].MemoryLimitBytes > 0);

        var metrics = await Eventually.WaitAsync(() => http.GetStringAsync("metrics"), m => m.Contains("chas_agent_stats_sample_duration_seconds_count", StringComparison.Ordinal), "agent metrics");
        Assert.Contains("chas_agent_containers{state=\"running\"}", metrics, StringComparison.Ordinal);
        await Promtool.AssertValidAsync(metrics);
    }

    private static AgentOptions Options(string node) => new()
    {
        Server = new Uri("http://127.0.0.1:1/"), Token = "t", NodeName = node, Address = "127.0.0.1", NvidiaSmi = "/nonexistent/nvidia-smi",
    };
}
