using System.CommandLine;
using Chas.Cli;
using Chas.Contracts;

namespace Chas.Commands;

internal static class NodesCommand
{
    public static Command Create()
    {
        var output = OutputFormat.CreateOption();
        var cmd = new Command("nodes", "List the nodes of the cluster") { output };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var nodes = (await client.ListNodesAsync(token)).Items;
            if (OutputFormat.IsStructured(parse.GetValue(output)))
            {
                OutputFormat.Write(parse.GetValue(output), nodes);
                return 0;
            }
            TableWriter.Write(Console.Out, ["NAME", "STATUS", "ADDRESS", "CPU", "MEMORY", "TASKS", "PORTS", "AGE"], nodes.Select(n => (IReadOnlyList<string>)
            [
                n.Name, n.Status.ToWire(), n.Address,
                $"{Quantity.FormatCpu(n.Allocated?.CpuMillis ?? 0)}/{Quantity.FormatCpu(n.Capacity.CpuMillis)}",
                $"{Quantity.FormatMemory(n.Allocated?.MemoryBytes ?? 0)}/{Quantity.FormatMemory(n.Capacity.MemoryBytes)}",
                (n.Allocated?.Tasks ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture),
                n.PortRange.ToString(),
                OutputFormat.Age(n.RegisteredAt),
            ]));
            return 0;
        }, ct));
        return cmd;
    }
}
