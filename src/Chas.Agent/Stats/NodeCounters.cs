using System.Globalization;

namespace Chas.Agent.Stats;

/// <summary>The machine's counters from /proc at one moment; CPU use is the difference of two readings.</summary>
internal sealed record NodeCounters
{
    /// <summary>Jiffies spent on anything but idle and I/O wait, all cores together, and in total.</summary>
    public ulong CpuBusy { get; init; }
    public ulong CpuTotal { get; init; }
    public int Cores { get; init; }
    public long MemoryTotalBytes { get; init; }
    /// <summary>Total minus available (what the kernel could not hand out without swapping).</summary>
    public long MemoryUsedBytes { get; init; }
    public long NetRxBytes { get; init; }
    public long NetTxBytes { get; init; }
    public long BlockReadBytes { get; init; }
    public long BlockWriteBytes { get; init; }

    /// <summary>Average CPU use between two readings as (millicores, percent of all cores).</summary>
    public (long Millis, double Percent) CpuSince(NodeCounters earlier)
    {
        if (CpuTotal <= earlier.CpuTotal || CpuBusy < earlier.CpuBusy) return (0, 0);
        var share = (double)(CpuBusy - earlier.CpuBusy) / (CpuTotal - earlier.CpuTotal);
        return ((long)Math.Round(share * Cores * 1000), Math.Round(share * 100, 1));
    }

    public static NodeCounters Read() => Parse(
        TryRead("/proc/stat"), TryRead("/proc/meminfo"), TryRead("/proc/net/dev"), TryRead("/proc/diskstats"),
        name => Directory.Exists($"/sys/block/{name}"));

    /// <param name="isWholeDisk">Whether a diskstats device is a disk rather than a partition (partitions would count twice).</param>
    public static NodeCounters Parse(string stat, string meminfo, string netDev, string diskstats, Func<string, bool> isWholeDisk)
    {
        ulong busy = 0, total = 0;
        var cores = 0;
        foreach (var line in Lines(stat))
        {
            var fields = Fields(line);
            if (fields.Length == 0 || !fields[0].StartsWith("cpu", StringComparison.Ordinal)) continue;
            if (fields[0] != "cpu")
            {
                cores++;
                continue;
            }
            // user nice system idle iowait irq softirq steal (guest time is already inside user).
            var values = fields.Skip(1).Take(8).Select(ULong).ToArray();
            total = values.Aggregate(0UL, (a, b) => a + b);
            var idle = values.ElementAtOrDefault(3) + values.ElementAtOrDefault(4);
            busy = total - Math.Min(idle, total);
        }

        long memTotal = 0, memAvailable = 0;
        foreach (var line in Lines(meminfo))
        {
            var fields = Fields(line);
            if (fields.Length < 2) continue;
            if (fields[0] == "MemTotal:") memTotal = (long)ULong(fields[1]) * 1024;
            else if (fields[0] == "MemAvailable:") memAvailable = (long)ULong(fields[1]) * 1024;
        }

        long rx = 0, tx = 0;
        foreach (var line in Lines(netDev))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            var name = line[..colon].Trim();
            // Loopback is not the network; veth ends of containers are counted by the host's bridge already.
            if (name == "lo" || name.StartsWith("veth", StringComparison.Ordinal)) continue;
            var fields = Fields(line[(colon + 1)..]);
            if (fields.Length < 9) continue;
            rx += (long)ULong(fields[0]);
            tx += (long)ULong(fields[8]);
        }

        long read = 0, written = 0;
        foreach (var line in Lines(diskstats))
        {
            var fields = Fields(line);
            if (fields.Length < 10 || !isWholeDisk(fields[2]) || fields[2].StartsWith("loop", StringComparison.Ordinal)
                || fields[2].StartsWith("ram", StringComparison.Ordinal)) continue;
            read += (long)ULong(fields[5]) * 512; // sectors are always 512 bytes here
            written += (long)ULong(fields[9]) * 512;
        }

        return new NodeCounters
        {
            CpuBusy = busy, CpuTotal = total, Cores = Math.Max(cores, 1),
            MemoryTotalBytes = memTotal, MemoryUsedBytes = Math.Max(0, memTotal - memAvailable),
            NetRxBytes = rx, NetTxBytes = tx, BlockReadBytes = read, BlockWriteBytes = written,
        };
    }

    private static string TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ""; // not Linux, or a restricted /proc: zeros rather than no agent
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    private static string[] Fields(string line) => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
    private static ulong ULong(string s) => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
