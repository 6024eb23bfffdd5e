using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Chas.Contracts;

namespace Chas.Agent.Stats;

/// <summary>
/// Utilization and memory in use of each GPU, from nvidia-smi. Asked only on nodes where GPUs were detected; a
/// failing or hung nvidia-smi yields nothing for that second rather than stalling the sampler.
/// </summary>
internal static class GpuUsageReader
{
    public static async Task<IReadOnlyList<GpuUsage>?> ReadAsync(string executable, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var start = new ProcessStartInfo(executable, ["--query-gpu=index,utilization.gpu,memory.used", "--format=csv,noheader,nounits"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start);
            if (process is null) return null;
            using var expiry = new CancellationTokenSource(timeout, time);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct, expiry.Token);
            try
            {
                var output = await process.StandardOutput.ReadToEndAsync(limit.Token);
                await process.WaitForExitAsync(limit.Token);
                return process.ExitCode == 0 ? Parse(output) : null;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
        }
        catch (Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Lines like "0, 87, 40321" (percent, MiB); "[N/A]" fields count as 0.</summary>
    public static IReadOnlyList<GpuUsage> Parse(string output)
    {
        var gpus = new List<GpuUsage>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length < 3 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)) continue;
            _ = double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var utilization);
            _ = long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var mib);
            gpus.Add(new GpuUsage { Index = index, UtilizationPercent = utilization, MemoryUsedBytes = mib * 1024 * 1024 });
        }
        return gpus;
    }
}
