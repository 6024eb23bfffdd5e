using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Chas.Testing.Processes;

/// <summary>How to start a <see cref="ChildProcess"/> beyond its file and arguments.</summary>
public sealed record ChildProcessOptions
{
    /// <summary>Adjusts the start info before the process starts (environment, working directory).</summary>
    public Action<ProcessStartInfo>? Configure { get; init; }

    /// <summary>Every line is also written to stderr as <c>  [label] line</c> (a bench's --verbose).</summary>
    public bool Echo { get; init; }

    /// <summary>Called with each line of stdout and stderr as it is printed (a bench counting warnings).</summary>
    public Action<string>? OnLine { get; init; }

    /// <summary>
    /// On dispose: null kills the process at once (SIGKILL, as a crash would); a grace period asks it to stop
    /// first (SIGTERM: nginx reaps its workers, chas shuts down as on Ctrl-C) and kills its whole tree after it.
    /// </summary>
    public TimeSpan? StopGrace { get; init; }
}

/// <summary>
/// One long-running child process (a `chas` command, nginx, a backend): its stdout and stderr copied line by line
/// into an <see cref="OutputLog"/> with its label, waits for a printed line or a condition that fail as soon as it
/// exits, and a stop or kill on dispose.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 200;
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly ChildProcessOptions _options;
    private readonly Queue<string> _lastLines = new();
    private readonly List<(string Marker, TaskCompletionSource Seen)> _markers = [];

    private ChildProcess(Process process, string label, OutputLog log, ChildProcessOptions options)
    {
        _process = process;
        _options = options;
        Label = label;
        Log = log;
    }

    public string Label { get; }
    public OutputLog Log { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public static ChildProcess Start(string label, string file, IEnumerable<string> args, OutputLog log, ChildProcessOptions? options = null)
    {
        options ??= new ChildProcessOptions();
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        options.Configure?.Invoke(info);

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, label, log, options);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, "");
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, " stderr");
        log.Append($"[{label}] $ {Path.GetFileName(file)} {string.Join(' ', info.ArgumentList)}");
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

    /// <summary>Completes when a line containing <paramref name="marker"/> has been printed; fails if the process exits first.</summary>
    public async Task WaitForLineAsync(string marker, TimeSpan timeout, CancellationToken ct = default)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lastLines)
        {
            if (_lastLines.Any(l => l.Contains(marker, StringComparison.Ordinal))) return;
            _markers.Add((marker, seen));
        }
        await WaitAsync(seen.Task, $"to print '{marker}'", timeout, ct);
    }

    /// <summary>Awaits <paramref name="condition"/>, failing with the output's end if the process exits or the time runs out.</summary>
    public async Task WaitAsync(Task condition, string what, TimeSpan timeout, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            // WaitForExitAsync also waits until the output is read to its end, so the last lines are complete.
            var exited = _process.WaitForExitAsync(deadline.Token);
            if (await Task.WhenAny(condition, exited) == exited)
            {
                await exited;
                throw new InvalidOperationException($"{Label} exited with code {_process.ExitCode} while waiting {what}; its output:\n{Log.Tail()}");
            }
            await condition;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{Label} did not manage {what} within {timeout.TotalSeconds:0.#} s; its output:\n{Log.Tail()}");
        }
    }

    /// <summary>SIGKILL, as a crash or a pulled plug would end it: no shutdown code runs.</summary>
    public async Task KillAsync(bool entireProcessTree = false)
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }
        }
        using var deadline = new CancellationTokenSource(ExitDeadline);
        await _process.WaitForExitAsync(deadline.Token);
    }

    /// <summary>SIGTERM, then SIGKILL to the whole tree if it has not exited after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        _ = Signal(_process.Id, SigTerm);
        using var wait = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync(entireProcessTree: true);
        }
    }

    /// <summary>SIGSTOP: the process freezes (a partition, a long GC pause) without exiting; <see cref="Resume"/> thaws it.</summary>
    public void Pause() => SendSignal(SigStop, "SIGSTOP");

    /// <summary>SIGCONT: a paused process runs on from where it stopped.</summary>
    public void Resume() => SendSignal(SigCont, "SIGCONT");

    private void SendSignal(int signal, string name)
    {
        if (_process.HasExited) throw new InvalidOperationException($"{Label} has exited; cannot send {name}");
        if (Signal(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {name}) failed with errno {Marshal.GetLastPInvokeError()}");
    }

    private void OnLine(string? line, string stream)
    {
        if (line is null) return;
        Log.Append($"[{Label}{stream}] {line}");
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > KeptLines) _lastLines.Dequeue();
            foreach (var (marker, seen) in _markers)
            {
                if (line.Contains(marker, StringComparison.Ordinal)) seen.TrySetResult();
            }
        }
        _options.OnLine?.Invoke(line);
        if (_options.Echo) Console.Error.WriteLine($"  [{Label}] {line}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // A paused process acts on SIGTERM only once it runs again: SIGCONT first lets a graceful stop work.
            if (!_process.HasExited) _ = Signal(_process.Id, SigCont);
            if (_options.StopGrace is { } grace) await StopAsync(grace);
            else await KillAsync();
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
    private const int SigCont = 18; // Linux numbering, where the tests run
    private const int SigStop = 19;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Signal(int pid, int signal);
}
