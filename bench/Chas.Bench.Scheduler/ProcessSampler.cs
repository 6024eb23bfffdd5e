using System.Diagnostics;
using System.Globalization;

namespace Chas.Bench.Scheduler;

/// <summary>
/// Samples another process's resident memory (VmRSS, and the kernel's own peak VmHWM) from /proc/PID/status, and
/// reads its CPU time, so a phase can be described by the memory it peaked at and the cores it kept busy.
/// </summary>
internal sealed class ProcessSampler : IAsyncDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peakRss, _highWater;

    public ProcessSampler(int pid)
    {
        _pid = pid;
        _loop = Task.Run(SampleAsync);
    }

    /// <summary>The largest VmRSS sampled, and VmHWM (the kernel's peak, which no sample can miss), in bytes.</summary>
    public (long PeakRss, long HighWater) Memory
    {
        get
        {
            Sample();
            return (Interlocked.Read(ref _peakRss), Interlocked.Read(ref _highWater));
        }
    }

    /// <summary>User plus system CPU time the process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        try
        {
            using var process = Process.GetProcessById(_pid);
            return process.TotalProcessorTime;
        }
        catch (ArgumentException)
        {
            return TimeSpan.Zero; // gone
        }
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            do Sample();
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Sample()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{_pid}/status");
        }
        catch (IOException)
        {
            return; // the process is gone
        }
        foreach (var line in lines)
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) Raise(ref _peakRss, Kilobytes(line));
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) Raise(ref _highWater, Kilobytes(line));
        }
    }

    // "VmRSS:     123456 kB"
    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    private static void Raise(ref long peak, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, value, seen) != seen) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
