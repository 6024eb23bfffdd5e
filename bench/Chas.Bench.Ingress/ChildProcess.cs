using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Chas.Bench.Ingress;

/// <summary>
/// A long-running child (`chas server`, `chas ingress`, nginx): its last log lines, a wait for the line that says it
/// is up, its CPU time (with its own children's: nginx's workers), and a kill of the whole tree at the end.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLogLines = 40;

    private readonly Process _process;
    private readonly string _name;
    private readonly bool _echo;
    private readonly Queue<string> _lastLines = new();
    private readonly List<(string Marker, TaskCompletionSource Seen)> _markers = [];

    private ChildProcess(string name, Process process, bool echo)
    {
        _name = name;
        _process = process;
        _echo = echo;
    }

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    public static ChildProcess Start(string name, string file, IEnumerable<string> args, bool echo, IReadOnlyDictionary<string, string>? env = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in env ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = new Process { StartInfo = start };
        var child = new ChildProcess(name, process, echo);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Completes when a line containing <paramref name="marker"/> is printed; fails if the process exits first.</summary>
    public async Task WaitForLineAsync(string marker, TimeSpan timeout, CancellationToken ct)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lastLines)
        {
            if (_lastLines.Any(l => l.Contains(marker, StringComparison.Ordinal))) return;
            _markers.Add((marker, seen));
        }
        await WaitAsync(seen.Task, $"to print '{marker}'", timeout, ct);
    }

    /// <summary>Awaits <paramref name="condition"/>, failing with the child's last lines if the child exits or the time runs out.</summary>
    public async Task WaitAsync(Task condition, string what, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            var exited = _process.WaitForExitAsync(deadline.Token);
            if (await Task.WhenAny(condition, exited) == exited)
            {
                await exited;
                throw new InvalidOperationException($"{_name} exited with code {_process.ExitCode} while waiting {what}; its last lines:\n{LastLines()}");
            }
            await condition;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{_name} did not manage {what} within {timeout.TotalSeconds:0} s; its last lines:\n{LastLines()}");
        }
    }

    public string LastLines()
    {
        lock (_lastLines) return string.Join('\n', _lastLines);
    }

    /// <summary>User plus system CPU time used so far by the process and its descendants that are alive (nginx's workers).</summary>
    public TimeSpan CpuTime() => ProcessCpu.OfTree(_process.Id);

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > KeptLogLines) _lastLines.Dequeue();
            foreach (var (marker, seen) in _markers)
            {
                if (line.Contains(marker, StringComparison.Ordinal)) seen.TrySetResult();
            }
        }
        if (_echo) Console.Error.WriteLine($"  [{_name}] {line}");
    }

    /// <summary>
    /// Asks the process to stop (SIGTERM: nginx stops and reaps its workers, chas shuts down as on Ctrl-C), and kills
    /// it with everything it started if it has not stopped after a few seconds.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _ = Signal(_process.Id, SigTerm);
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await _process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Signal(int pid, int signal);
}
