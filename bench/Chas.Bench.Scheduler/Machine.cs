namespace Chas.Bench.Scheduler;

/// <summary>The machine as the run found it: a loaded machine explains a slow run.</summary>
internal static class Machine
{
    /// <summary>"2 cores, 23 GiB, load average 1.52 when the run began" (the load only where /proc says it).</summary>
    public static string Describe(string? loadAtStart) =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB" +
        (loadAtStart is null ? "" : $", load average {loadAtStart} when the run began");

    /// <summary>The one-minute load average, or null where there is no /proc/loadavg.</summary>
    public static string? LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return null;
        }
    }
}
