using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

public sealed class NodesTests(SharedDevFixture fixture, ITestOutputHelper output) : SharedDevTest(fixture, output)
{
    [Fact]
    public async Task Nodes_as_json_lists_exactly_the_built_in_node_ready_on_loopback()
    {
        var nodes = await Dev.Cli.ListNodesAsync();

        var node = Assert.Single(nodes);
        Assert.Equal(Dev.NodeName, node.Name);
        Assert.Equal("ready", node.Status);
        Assert.Equal("127.0.0.1", node.Address);
    }

    [Fact]
    public async Task Nodes_as_a_table_prints_a_header_line_and_the_node()
    {
        var result = await Dev.Cli.RunAsync("nodes");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stderr);
        Assert.Collection(result.StdoutLines,
            header => Assert.Equal(["NAME", "STATUS", "ADDRESS", "CPU", "MEMORY", "TASKS", "PORTS", "AGE"], Columns(header)),
            row =>
            {
                var cells = Columns(row);
                Assert.Equal(8, cells.Length);
                Assert.Equal(Dev.NodeName, cells[0]);
                Assert.Equal("ready", cells[1]);
                Assert.Equal("127.0.0.1", cells[2]);
                Assert.Equal($"{Dev.PortRange.From}-{Dev.PortRange.To}", cells[6]);
            });
    }

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
