using System.Diagnostics;

namespace Chas.Testing.Hardware;

/// <summary>The machine as a bench run found it: a loaded or small machine explains a slow run.</summary>
public static class Machine
{
    /// <summary>"2 cores, 23 GiB, load average 1.52 when the run began" (the load only where /proc says it).</summary>
    public static string Describe(string? loadAtStart) =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB" +
        (loadAtStart is null ? "" : $", load average {loadAtStart} when the run began");

    /// <summary>`nproc`: the cores this process may run on (what nginx's worker_processes auto counts too).</summary>
    public static int Cores()
    {
        try
        {
            using var nproc = Process.Start(new ProcessStartInfo("nproc") { RedirectStandardOutput = true, UseShellExecute = false });
            if (nproc is not null && int.TryParse(nproc.StandardOutput.ReadToEnd().Trim(), out var cores))
            {
                nproc.WaitForExit();
                return cores;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No nproc: the runtime's count is the same number unless a CPU quota limits this process.
        }
        return Environment.ProcessorCount;
    }

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
