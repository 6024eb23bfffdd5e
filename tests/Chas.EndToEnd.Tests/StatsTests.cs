using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

public sealed class StatsTests(SharedDevFixture fixture, ITestOutputHelper output) : SharedDevTest(fixture, output)
{
    [Fact]
    public async Task Stats_show_a_busy_containers_cpu_and_top_lists_it_and_the_node()
    {
        await Dev.RunTaskAsync("stats-busy", ["sh", "-c", "while :; do :; done"], "--cpu", "500m");
        try
        {
            await Dev.WaitForStatusAsync("stats-busy", TaskPhase.Running);

            // The agent samples every second; CPU needs two readings, and a busy loop is capped at its 500m.
            var series = await Eventually.GetAsync(() => Dev.Client.GetTaskStatsAsync("stats-busy"),
                s => s.Samples.Count > 0 && s.Samples[^1].CpuMillis > 200, TimeSpan.FromSeconds(30), "stats-busy using over 200m of CPU", Dev.Diagnostics);
            var last = series.Samples[^1];
            Assert.Null(series.Error);
            Assert.Equal(Dev.NodeName, series.Node);
            Assert.True(last.CpuMillis <= 600, $"{last.CpuMillis}m is over the task's 500m");
            Assert.True(last.MemoryBytes > 0 && last.MemoryLimitBytes > 0, $"memory {last.MemoryBytes} of {last.MemoryLimitBytes}");

            var instances = await Eventually.GetAsync(() => Dev.Cli.RunAsync("top", "instances"),
                r => r.ExitCode == 0 && r.StdoutLines.Any(l => Columns(l) is ["stats-busy", var node, var cpu, ..] && node == Dev.NodeName && cpu != "-"),
                TimeSpan.FromSeconds(15), "`chas top instances` listing stats-busy with its CPU", Dev.Diagnostics);
            Assert.Equal(["NAME", "NODE", "CPU", "MEMORY", "NET", "I/O", "BLOCK", "I/O"], Columns(instances.StdoutLines[0]));

            var nodes = await Dev.Cli.RunAsync("top", "nodes");
            Assert.True(nodes.ExitCode == 0, nodes.ToString());
            Assert.Equal(["NAME", "CPU", "CPU%", "MEMORY", "MEMORY%", "GPU%"], Columns(nodes.StdoutLines[0]));
            var row = Columns(Assert.Single(nodes.StdoutLines, l => l.StartsWith(Dev.NodeName + " ", StringComparison.Ordinal)));
            Assert.NotEqual("-", row[1]);
            Assert.EndsWith("%", row[4], StringComparison.Ordinal);
        }
        finally
        {
            await Dev.Cli.RunAsync("rm", "-f", "stats-busy");
        }
    }

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
