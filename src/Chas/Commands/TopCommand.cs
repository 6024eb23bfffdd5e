using System.CommandLine;
using System.Globalization;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>
/// `chas top [instances|nodes]`: the latest second of CPU, memory and I/O, as the agents sampled it. A node that
/// does not answer shows "-" and a warning on stderr rather than failing the whole table.
/// </summary>
internal static class TopCommand
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var top = new Command("top", "Resource use of running instances (default) or of nodes, from the agents' last sample");
        AddInstances(top);
        var instances = new Command("instances", "CPU, memory, network and block I/O of each running task and instance");
        AddInstances(instances);
        top.Subcommands.Add(instances);
        top.Subcommands.Add(Nodes());
        return top;
    }

    private static void AddInstances(Command cmd)
    {
        var output = OutputFormat.CreateOption();
        var watch = WatchOption();
        var ns = NamespaceOption.Create();
        var all = NamespaceOption.CreateAll();
        cmd.Options.Add(output);
        cmd.Options.Add(watch);
        cmd.Options.Add(ns);
        cmd.Options.Add(all);
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, all, (client, token) =>
            RepeatAsync(parse.GetValue(watch), async () =>
            {
                var stats = await client.ListTaskStatsAsync(token);
                if (OutputFormat.IsStructured(parse.GetValue(output)))
                {
                    OutputFormat.Write(parse.GetValue(output), stats);
                    return;
                }
                var wide = parse.GetValue(all);
                IReadOnlyList<string> headers = ["NAME", "NODE", "CPU", "MEMORY", "NET I/O", "BLOCK I/O"];
                TableWriter.Write(Console.Out, wide ? ["NAMESPACE", .. headers] : headers, stats.Select(s =>
                {
                    var last = Latest(s);
                    return (IReadOnlyList<string>)
                    [
                        .. wide ? [s.Namespace ?? "-"] : Array.Empty<string>(),
                        s.Name, s.Node ?? "-",
                        last is null ? "-" : Quantity.FormatCpu(last.CpuMillis),
                        last is null ? "-" : $"{Bytes(last.MemoryBytes)} / {Bytes(last.MemoryLimitBytes)}",
                        last is null ? "-" : $"{Bytes(last.NetRxBytes)} / {Bytes(last.NetTxBytes)}",
                        last is null ? "-" : $"{Bytes(last.BlockReadBytes)} / {Bytes(last.BlockWriteBytes)}",
                    ];
                }));
                WarnUnreachable(stats);
            }, token), ct));
    }

    private static Command Nodes()
    {
        var output = OutputFormat.CreateOption();
        var watch = WatchOption();
        var cmd = new Command("nodes", "CPU, memory and GPU use of each node") { output, watch };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync((client, token) =>
            RepeatAsync(parse.GetValue(watch), async () =>
            {
                var stats = await client.ListNodeStatsAsync(token);
                if (OutputFormat.IsStructured(parse.GetValue(output)))
                {
                    OutputFormat.Write(parse.GetValue(output), stats);
                    return;
                }
                TableWriter.Write(Console.Out, ["NAME", "CPU", "CPU%", "MEMORY", "MEMORY%", "GPU%"], stats.Select(s =>
                {
                    var last = Latest(s);
                    return (IReadOnlyList<string>)
                    [
                        s.Name,
                        last is null ? "-" : Quantity.FormatCpu(last.CpuMillis),
                        last is null ? "-" : Percent(last.CpuPercent),
                        last is null ? "-" : Bytes(last.MemoryBytes),
                        last is null || last.MemoryLimitBytes <= 0 ? "-" : Percent(100.0 * last.MemoryBytes / last.MemoryLimitBytes),
                        last?.Gpus is { Count: > 0 } gpus ? Percent(gpus.Average(g => g.UtilizationPercent)) : "-",
                    ];
                }));
                WarnUnreachable(stats);
            }, token), ct));
        return cmd;
    }

    private static Option<bool> WatchOption() => new("--watch", "-w") { Description = "Refresh every 2 s until interrupted" };

    private static async Task<int> RepeatAsync(bool watch, Func<Task> show, CancellationToken ct)
    {
        while (true)
        {
            if (watch && !Console.IsOutputRedirected) Console.Out.Write("\u001b[H\u001b[2J");
            await show();
            if (!watch) return 0;
            await Task.Delay(WatchInterval, ct);
            if (Console.IsOutputRedirected) Console.Out.WriteLine();
        }
    }

    private static StatsSample? Latest(StatsSeries series) => series.Samples.Count > 0 ? series.Samples[^1] : null;

    private static void WarnUnreachable(IReadOnlyList<StatsSeries> stats)
    {
        foreach (var error in stats.Select(s => s.Error).OfType<string>().Distinct(StringComparer.Ordinal))
            Console.Error.WriteLine($"warning: {error}");
    }

    private static string Percent(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>As `docker stats` prints sizes: decimal units, three significant digits.</summary>
    internal static string Bytes(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double value = Math.Max(0, bytes);
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return (unit == 0 ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString(value < 10 ? "0.##" : value < 100 ? "0.#" : "0", CultureInfo.InvariantCulture)) + units[unit];
    }
}
