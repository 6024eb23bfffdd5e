using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Chas.Contracts;

namespace Chas.Agent.Gpus;

/// <summary>
/// Finds the node's NVIDIA GPUs by asking nvidia-smi, as Nomad's device plugin does. No nvidia-smi,
/// or one that fails, means no GPUs: a node without GPUs is the common case, not an error.
/// </summary>
internal static class NvidiaSmi
{
    public static async Task<IReadOnlyList<GpuInfo>> DetectAsync(string executable, CancellationToken ct, TimeProvider? time = null)
    {
        var start = new ProcessStartInfo(executable, ["--query-gpu=index,name,memory.total", "--format=csv,noheader,nounits"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start);
            if (process is null) return [];
            using var expiry = new CancellationTokenSource(TimeSpan.FromSeconds(10), time ?? TimeProvider.System);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, expiry.Token);
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode == 0 ? Parse(output) : [];
        }
        catch (Win32Exception)
        {
            return []; // not installed
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return []; // hung driver: treat as no GPUs rather than block the agent
        }
    }

    /// <summary>Lines like "0, NVIDIA H200, 143771" (memory in MiB).</summary>
    public static IReadOnlyList<GpuInfo> Parse(string output)
    {
        var gpus = new List<GpuInfo>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length < 3 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)) continue;
            _ = long.TryParse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var mib);
            gpus.Add(new GpuInfo { Index = index, Model = string.Join(", ", fields[1..^1]), MemoryBytes = mib * 1024 * 1024 });
        }
        return gpus;
    }
}
