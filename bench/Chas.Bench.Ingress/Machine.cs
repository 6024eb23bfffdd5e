using System.Diagnostics;

namespace Chas.Bench.Ingress;

/// <summary>The machine as the run found it: every target shares its cores with wrk and the backend.</summary>
internal static class Machine
{
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
